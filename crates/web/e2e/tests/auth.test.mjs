// Signing up and in through the screens, keyboard only where a person would type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPerson, signUp } from '../lib/api.mjs';
import { BASE_URL, Devices, useBrowser } from '../lib/harness.mjs';

const chromium = useBrowser();

/** The label of the focused control, e.g. "Password" (without its hint or error). */
function focusedLabel(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    return (element?.labels?.[0]?.innerText ?? element?.getAttribute('aria-label') ?? '').trim();
  });
}

/** Presses Tab until the focused control is labelled `label`; fails after 25 presses. */
async function tabTo(page, label) {
  const startsWithLabel = new RegExp(`^${label}(\\b|$)`);
  for (let presses = 0; presses < 25; presses += 1) {
    if (startsWithLabel.test(await focusedLabel(page))) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached the field labelled "${label}"`);
}

test('a person signs in with the keyboard alone', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  const { page } = await devices.open({ path: '/signin', label: 'keyboard' });
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();

  await tabTo(page, 'Email');
  await page.keyboard.type(alice.person.email);
  await tabTo(page, 'Password');
  await page.keyboard.type(alice.person.password);
  await page.keyboard.press('Enter');

  await page.getByRole('link', { name: 'Pantry', exact: true }).first().waitFor({ timeout: 10_000 });
  assert.notEqual(new URL(page.url()).pathname, '/signin');
  devices.finish();
});

test('signed-out visitors land on sign-in, and a new account can be created', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const { page } = await devices.open({ path: '/pantry', label: 'visitor' });
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/signin');

  await page.goto('/signup');
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  const person = newPerson('Sam');
  await page.getByLabel('Name', { exact: true }).fill(person.name);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel(/^Password/).fill(person.password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  await page.waitForURL((url) => !['/signup', '/signin'].includes(url.pathname), { timeout: 10_000 });
  devices.finish();
});
