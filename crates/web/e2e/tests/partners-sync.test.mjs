// Two partners in one home see each other's ticks live: Alice ticks Milk, Bob's checkbox
// follows within a second, without a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, Devices, useBrowser, waitUntilLive } from '../lib/harness.mjs';
import { newPerson, signUp } from '../lib/api.mjs';

const chromium = useBrowser();

test('a tick by one partner reaches the other within a second', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  const bob = await signUp(BASE_URL, newPerson('Bob'));
  const { code } = await alice.post(alice.home('/invites'), {});

  // Bob follows the invite link and joins through the app.
  const { page: bobPage } = await devices.open({ auth: bob.auth, path: `/join/${code}`, label: 'Bob' });
  await bobPage.getByRole('button', { name: 'Join', exact: true }).click();
  await bobPage.waitForURL((url) => !url.pathname.startsWith('/join/'), { timeout: 10_000 });

  const list = await alice.get(alice.home('/lists/default'));
  const { listItem: milk } = await alice.post(alice.home(`/lists/${list.id}/items/by-name`), { name: 'Milk' });

  const { page: alicePage } = await devices.open({ auth: alice.auth, path: `/lists/${list.id}`, label: 'Alice' });
  await bobPage.goto(`/lists/${list.id}`);
  const bobsMilk = bobPage.locator(`[data-testid="list-entry"][data-id="${milk.id}"] input[type="checkbox"]`);
  await bobsMilk.waitFor();
  assert.equal(await bobsMilk.isChecked(), false, "Bob's Milk starts unticked");
  await waitUntilLive(bobPage);
  await waitUntilLive(alicePage);
  // Bob's page must not reload to see the change.
  await bobPage.evaluate(() => {
    window.__e2eSamePage = true;
  });

  const alicesMilk = alicePage.getByRole('checkbox', { name: 'Milk' });
  const tickedAt = Date.now();
  await alicesMilk.check();
  await bobPage.waitForFunction(
    (selector) => document.querySelector(selector)?.checked === true,
    `[data-testid="list-entry"][data-id="${milk.id}"] input[type="checkbox"]`,
    { polling: 'raf', timeout: 5_000 },
  );
  const delay = Date.now() - tickedAt;
  t.diagnostic(`Bob saw the tick after ${delay} ms`);
  assert.ok(delay < 1000, `Bob saw Alice's tick after ${delay} ms (must be under 1000 ms)`);
  assert.equal(await bobPage.evaluate(() => window.__e2eSamePage), true, "Bob's page reloaded");

  const entry = (await alice.get(alice.home(`/lists/${list.id}`))).items.find((item) => item.id === milk.id);
  assert.equal(entry.isCompleted, true, 'the server has Milk ticked');
  devices.finish();
});
