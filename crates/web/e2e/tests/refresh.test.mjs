// The access token is refreshed before it expires, once for all tabs: refresh tokens rotate
// and a reused one ends the session, so two tabs refreshing with the same token would sign the
// person out everywhere. Here two tabs hold a token that (as far as they know) expires in 62 s,
// so both schedule a refresh 5 s from now, at the same moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, Devices, useBrowser, waitUntilLive } from '../lib/harness.mjs';
import { newPerson, signUp } from '../lib/api.mjs';
import { SESSION_KEY } from '../lib/session.mjs';

const chromium = useBrowser();

test('two tabs refresh the token once, before it expires, and stay signed in', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  const nearExpiry = { ...alice.auth, expiresIn: 62 };
  const { context, page: first } = await devices.open({ auth: nearExpiry, path: '/pantry', label: 'tab 1' });
  const refreshes = [];
  context.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/auth/refresh') refreshes.push(request);
  });
  const second = await context.newPage();
  await second.goto('/lists');
  await waitUntilLive(first);
  await waitUntilLive(second);
  const before = await first.evaluate((key) => JSON.parse(localStorage.getItem(key)), SESSION_KEY);

  // Both tabs' timers fire about 5 s after they loaded.
  const rotated = await first.waitForFunction(
    ([key, old]) => JSON.parse(localStorage.getItem(key) ?? 'null')?.refreshToken !== old,
    [SESSION_KEY, before.refreshToken],
    { timeout: 15_000, polling: 100 },
  );
  assert.ok(rotated);
  await first.waitForTimeout(2_000); // the other tab's timer has fired by now too
  assert.equal(refreshes.length, 1, `one refresh for both tabs, saw ${refreshes.length}`);

  const after = await second.evaluate((key) => JSON.parse(localStorage.getItem(key)), SESSION_KEY);
  assert.notEqual(after.token, before.token, 'a new access token');
  assert.ok(after.expiresAt - Date.now() > 10 * 60_000, 'valid for the server-side lifetime again');
  // Both tabs are still signed in, live, and can write with the new token.
  for (const page of [first, second]) {
    assert.equal(new URL(page.url()).pathname === '/signin', false);
    await waitUntilLive(page);
  }

  // Two tabs deciding to refresh at the same moment, while the network is slow: the second
  // waits for the first (a Web Lock), finds the rotated token and sends nothing.
  refreshes.length = 0;
  await context.route('**/api/auth/refresh', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await route.continue();
  });
  const refreshIn = (page) => page.evaluate(async () => {
    const { session } = await import('/js/core/session.js');
    return (await session.refresh())?.refreshToken ?? null;
  });
  const firstTab = refreshIn(first);
  await first.waitForTimeout(200);
  const [a, b] = await Promise.all([firstTab, refreshIn(second)]);
  assert.equal(refreshes.length, 1, `one refresh for two tabs at once, saw ${refreshes.length}`);
  assert.ok(a && a === b, 'both tabs hold the same, new refresh token');
  await context.unroute('**/api/auth/refresh');

  await first.getByLabel('Add to pantry').fill('Capers');
  await first.getByRole('button', { name: 'Add', exact: true }).click();
  await first.locator('[data-testid="pantry-item"][data-pending="false"]', { hasText: 'Capers' }).waitFor({ timeout: 10_000 });
  devices.finish();
});
