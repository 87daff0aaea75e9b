// The app is served under a strict Content Security Policy, and the tests' watcher really
// notices a violation (every other test relies on it to fail on one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, Devices, eventually, useBrowser } from '../lib/harness.mjs';

const chromium = useBrowser();

test('pages carry a strict CSP', async () => {
  const response = await fetch(`${BASE_URL}/signin`);
  const policy = response.headers.get('content-security-policy') ?? '';
  assert.match(policy, /script-src 'self'(;|$)/);
  assert.match(policy, /style-src 'self'(;|$)/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
});

test('the watcher reports a CSP violation', async (t) => {
  const devices = new Devices(chromium.browser, t);
  const { page } = await devices.open({ path: '/signin', label: 'probe' });
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
  await page.evaluate(() => {
    const probe = document.createElement('div');
    probe.setAttribute('style', 'color: red');
    document.body.append(probe);
  });
  await eventually(() => devices.problems.flat().some((problem) => problem.includes('CSP violation')), {
    timeout: 5_000,
    message: 'the inline style to be reported',
  });
  assert.throws(() => devices.finish(), /style-src/);
});
