// "Sign out everywhere" on one device ends the session on another, which shows the sign-in
// screen by itself (its socket is closed with 4001 and the refresh is refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, newPerson, signUp } from '../lib/api.mjs';
import { BASE_URL, Devices, useBrowser, waitUntilLive } from '../lib/harness.mjs';

const chromium = useBrowser();

test('signing out everywhere sends the other device to sign-in without a reload', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const person = newPerson('Alice');
  const phone = await signUp(BASE_URL, person);
  // The laptop signs in on its own: a second session of the same person.
  const laptopAuth = await new ApiClient(BASE_URL).post('/api/auth/login', { email: person.email, password: person.password });

  const { page: laptop } = await devices.open({ auth: laptopAuth, path: '/pantry', label: 'laptop' });
  await waitUntilLive(laptop);
  await laptop.evaluate(() => {
    window.__e2eSamePage = true;
  });

  const { page: phonePage } = await devices.open({ auth: phone.auth, path: '/settings', label: 'phone' });
  await phonePage.getByRole('button', { name: 'Sign out everywhere', exact: true }).click();
  await confirmIfAsked(phonePage, 'Sign out everywhere');
  await phonePage.getByRole('heading', { name: 'Welcome back' }).waitFor({ timeout: 5_000 });

  const started = Date.now();
  await laptop.getByRole('heading', { name: 'Welcome back' }).waitFor({ timeout: 8_000 });
  t.diagnostic(`the laptop reached sign-in ${Date.now() - started} ms after the phone`);
  assert.equal(await laptop.evaluate(() => window.__e2eSamePage), true, 'the laptop page reloaded');
  assert.equal(new URL(laptop.url()).pathname, '/signin');
  devices.finish();
});

/** The app may ask "Are you sure?" in a dialog: answer with its `action` button. */
async function confirmIfAsked(page, action) {
  const dialog = page.locator('dialog[open]');
  try {
    await dialog.waitFor({ timeout: 1_500 });
  } catch {
    return;
  }
  await dialog.getByRole('button', { name: action, exact: true }).click();
}
