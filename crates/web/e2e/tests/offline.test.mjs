// Offline: two quick adds while the phone has no network wait as pending changes, are sent
// once it is back, and exist exactly once on the server (also after a reload).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, Devices, eventually, useBrowser, waitUntilLive } from '../lib/harness.mjs';
import { newPerson, signUp } from '../lib/api.mjs';

const chromium = useBrowser();
const NAMES = ['Oat milk', 'Rye bread'];

async function serverItems(client) {
  const items = await client.get(client.home('/items'));
  return items.filter((item) => NAMES.includes(item.name));
}

test('pantry adds made offline are sent once when back online', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  const { context, page } = await devices.open({ auth: alice.auth, path: '/pantry', label: 'Alice' });
  await waitUntilLive(page);
  // The socket can be live before the pantry's first load answered; offline before that, the
  // screen could only say it could not load.
  await page.getByLabel('Add to pantry').waitFor();

  await context.setOffline(true);
  for (const name of NAMES) {
    await page.getByLabel('Add to pantry').fill(name);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
  }
  for (const name of NAMES) {
    await page.locator('[data-testid="pantry-item"][data-pending="true"]', { hasText: name }).waitFor({ timeout: 5_000 });
  }
  const pending = page.getByTestId('pending');
  await pending.filter({ hasText: /\b2\b/ }).waitFor({ timeout: 5_000 });
  assert.match(await pending.innerText(), /2 changes waiting/);
  assert.deepEqual(await serverItems(alice), [], 'nothing reached the server while offline');

  await context.setOffline(false);
  await eventually(async () => (await serverItems(alice)).length === 2, { timeout: 15_000, message: 'both items on the server' });
  await page.getByTestId('pending').waitFor({ state: 'hidden', timeout: 10_000 });
  for (const name of NAMES) {
    await page.locator('[data-testid="pantry-item"][data-pending="false"]', { hasText: name }).waitFor({ timeout: 5_000 });
  }

  // A reload neither resends nor shows anything twice.
  await page.reload();
  await waitUntilLive(page);
  for (const name of NAMES) {
    await page.locator('[data-testid="pantry-item"]', { hasText: name }).first().waitFor();
    assert.equal(await page.locator('[data-testid="pantry-item"]', { hasText: name }).count(), 1, `${name} shown once`);
  }
  await page.waitForTimeout(1_000);
  const items = await serverItems(alice);
  assert.deepEqual(items.map((item) => item.name).sort(), [...NAMES].sort(), 'exactly two new items on the server');
  devices.finish();
});
