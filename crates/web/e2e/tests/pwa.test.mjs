// Installable, and opens in the shop with no signal: the manifest names the app and its icons,
// the service worker takes control, and a reload without a network still shows the pantry as
// last seen (the shell and the last reads come from the worker's caches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, Devices, useBrowser, waitUntilLive } from '../lib/harness.mjs';
import { newPerson, signUp } from '../lib/api.mjs';

const chromium = useBrowser();

test('the manifest makes the app installable', async () => {
  const response = await fetch(`${BASE_URL}/manifest.webmanifest`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^application\/manifest\+json/);
  const manifest = await response.json();
  assert.equal(manifest.name, 'Pantry Pixie');
  assert.equal(manifest.display, 'standalone');
  assert.ok(manifest.start_url.startsWith('/'));
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i) => i.sizes === size && i.type === 'image/png');
    assert.ok(icon, `a ${size} PNG icon`);
    const image = await fetch(new URL(icon.src, BASE_URL));
    assert.equal(image.status, 200, icon.src);
    assert.equal(image.headers.get('content-type'), 'image/png');
  }
});

test('a reload with no network still shows the pantry as last seen', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  await alice.post(alice.home('/items'), { name: 'Basmati rice', quantity: 2, unit: 'kg' });
  const { context, page } = await devices.open({ auth: alice.auth, path: '/pantry', label: 'Alice' });

  // The first visit installs the worker; it claims the page, and the next load goes through it.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  await page.reload();
  await waitUntilLive(page);
  await page.locator('[data-testid="pantry-item"]', { hasText: 'Basmati rice' }).waitFor();

  await context.setOffline(true);
  await page.reload();
  await page.locator('[data-testid="pantry-item"]', { hasText: 'Basmati rice' }).waitFor({ timeout: 10_000 });
  await page.getByTestId('connection').filter({ hasText: 'Offline' }).waitFor({ timeout: 10_000 });
  // And still takes a change, to send later.
  await page.getByLabel('Add to pantry').fill('Lentils');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByTestId('pending').filter({ hasText: /1 change waiting/ }).waitFor({ timeout: 5_000 });
  await context.setOffline(false);
  await page.getByTestId('pending').waitFor({ state: 'hidden', timeout: 15_000 });
  const items = await alice.get(alice.home('/items'));
  assert.deepEqual(items.map((i) => i.name).sort(), ['Basmati rice', 'Lentils']);
  devices.finish();
});
