// Accessibility: every screen, at phone size, in light and dark, passes axe-core's WCAG 2.1 A/AA
// rules; and from the top of the pantry, the keyboard reaches the quick add and the navigation
// with a visible focus ring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { BASE_URL, useBrowser } from '../lib/harness.mjs';
import { PHONE, watchContext } from '../lib/browser.mjs';
import { newPerson, signUp } from '../lib/api.mjs';
import { seedHousehold } from '../lib/seed.mjs';
import { useSession } from '../lib/session.mjs';

const chromium = useBrowser();
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const THEMES = ['light', 'dark'];
const NAV = ['Pantry', 'Lists', 'Pixie', 'Activity', 'Settings'];

/** A phone-sized context watched for console errors and CSP violations; optionally signed in. */
async function openContext(t, problems, label, auth, options) {
  const context = await chromium.browser.newContext({
    baseURL: BASE_URL,
    viewport: PHONE,
    deviceScaleFactor: 1,
    // Contrast is measured on the resting state, not halfway through a fade-in.
    reducedMotion: 'reduce',
  });
  t.after(() => context.close().catch(() => {}));
  problems.push(await watchContext(context, label));
  if (auth) await useSession(context, auth, options);
  return context.newPage();
}

/** Runs axe on the page as it is now: answers one readable line per violation and node. */
async function audit(page, screen, theme) {
  await page.emulateMedia({ colorScheme: theme, reducedMotion: 'reduce' });
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(await AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, TAGS);
  return violations.flatMap((v) => v.nodes.map((n) => {
    const summary = (n.summary || '').replace(/\s+/g, ' ').replace(/^Fix (any|all) of the following: ?/, '').slice(0, 200);
    return `[${screen}, ${theme}] ${v.id} (${v.impact}): ${v.help}\n    at ${n.target}\n    ${summary}`;
  }));
}

test('every screen passes axe (WCAG 2.1 A and AA) in light and dark at 390x844', async (t) => {
  const { alice, lists, thread } = await seedHousehold(BASE_URL);
  const newcomer = await signUp(BASE_URL, newPerson('Carol'));
  const { code } = await alice.post(alice.home('/invites'), {});
  // An entry with an amount, so a row shows details under its name.
  await alice.post(alice.home(`/lists/${lists.quick.id}/items/by-name`), { name: 'Strawberries', quantity: 2, unit: 'box' });
  const problems = [];
  const found = [];
  const check = async (page, screen) => {
    // Let the screen's data arrive and settle before measuring.
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 10_000 });
    await page.waitForTimeout(150);
    for (const theme of THEMES) found.push(...(await audit(page, screen, theme)));
  };

  // Signed out: sign in, sign up, and an invite link.
  const anon = await openContext(t, problems, 'signed out');
  await anon.goto('/signin');
  await anon.getByRole('heading', { level: 1, name: 'Welcome back' }).waitFor();
  await check(anon, 'sign in');
  await anon.goto('/signup');
  await anon.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
  await check(anon, 'sign up');
  await anon.goto(`/join/${code}`);
  await anon.getByRole('button', { name: 'Create an account to join' }).waitFor();
  await check(anon, 'join (signed out)');

  // A brand-new person: the welcome steps, and the invite link.
  const carol = await openContext(t, problems, 'newcomer', newcomer.auth, { onboarded: false });
  await carol.goto('/welcome');
  await carol.getByRole('heading', { level: 1 }).waitFor();
  await check(carol, 'onboarding');
  await carol.goto(`/join/${code}`);
  await carol.getByRole('button', { name: 'Join', exact: true }).waitFor();
  await check(carol, 'join');

  // A stocked household.
  const page = await openContext(t, problems, 'Alice', alice.auth);
  await page.goto('/pantry');
  await page.getByTestId('pantry-item').first().waitFor();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await check(page, 'pantry');
  await page.getByRole('button', { name: /^Whole milk,/ }).click();
  await page.locator('dialog[open]').waitFor();
  await page.waitForTimeout(150);
  await check(page, 'pantry item sheet');
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'hidden' });

  // A change waiting to be sent (offline in the shop) is still readable.
  await page.context().setOffline(true);
  await page.getByLabel('Add to pantry').fill('2 kg flour');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('[data-testid="pantry-item"][data-pending="true"]').waitFor();
  await check(page, 'pantry, a change waiting');
  await page.context().setOffline(false);
  await page.locator('[data-testid="pantry-item"][data-pending="true"]').waitFor({ state: 'detached', timeout: 15_000 });

  await page.goto(`/lists/${lists.quick.id}`);
  await page.getByTestId('list-entry').first().waitFor();
  await page.getByRole('checkbox', { name: 'Tomatoes' }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Tomatoes' }).isChecked(), true, 'Tomatoes is ticked');
  await check(page, 'lists');

  // The seeded thread has Pixie's reply (and, from the routed model of
  // crates/app/tests/browser.rs, its grocery-list card).
  await page.goto(`/chat/${thread.id}`);
  await page.locator('[data-testid="chat-message"][data-role="assistant"]').first().waitFor();
  await check(page, 'chat');

  await page.goto('/activity');
  await page.getByRole('tab', { name: /Notifications/ }).waitFor();
  await check(page, 'activity: notifications');
  await page.getByRole('tab', { name: 'Activity' }).click();
  await page.getByRole('tab', { name: 'Activity', selected: true }).waitFor();
  await page.waitForTimeout(300);
  await check(page, 'activity: activity');

  await page.goto('/settings');
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  await check(page, 'settings');

  const errors = problems.flat();
  if (found.length || errors.length) {
    assert.fail([
      found.length ? `${found.length} accessibility violation(s):\n${found.join('\n')}` : '',
      errors.length ? `the app logged errors or broke its CSP:\n${errors.join('\n')}` : '',
    ].filter(Boolean).join('\n\n'));
  }
});

test('the keyboard reaches the quick add and the navigation, with a visible focus ring', async (t) => {
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  await alice.post(alice.home('/items'), { name: 'Rice', quantity: 1, unit: 'kg' });
  const problems = [];
  const page = await openContext(t, problems, 'Alice', alice.auth);
  await page.goto('/pantry');
  await page.getByTestId('pantry-item').first().waitFor();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');

  // From the top of the page: nothing focused yet.
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const reached = new Set();
  const invisible = [];
  for (let presses = 0; presses < 60; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const label = (el.closest('nav') && el.querySelector('.tab-label')?.textContent.trim())
        || el.labels?.[0]?.textContent.trim() || el.getAttribute('aria-label') || el.textContent.trim();
      return {
        what: `${el.tagName.toLowerCase()} "${label.replace(/\s+/g, ' ').slice(0, 40)}"`,
        label,
        isNavLink: !!el.closest('nav') && el.tagName === 'A',
        visible: el.matches(':focus-visible'),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
      };
    });
    if (!focused) continue;
    if (focused.isNavLink) reached.add(`nav ${focused.label}`);
    if (/^Add to pantry/.test(focused.label)) reached.add('Add to pantry');
    if (focused.visible && !focused.outline) invisible.push(focused.what);
    if (reached.has('Add to pantry') && NAV.every((name) => reached.has(`nav ${name}`))) break;
  }
  for (const name of NAV) assert.ok(reached.has(`nav ${name}`), `Tab never reached the "${name}" link (reached: ${[...reached].join(', ')})`);
  assert.ok(reached.has('Add to pantry'), `Tab never reached the "Add to pantry" input (reached: ${[...reached].join(', ')})`);
  assert.deepEqual(invisible, [], 'these elements have no visible focus outline when focused with the keyboard');
  const input = page.getByLabel('Add to pantry');
  assert.equal(await input.count(), 1, 'one "Add to pantry" input');

  const errors = problems.flat();
  if (errors.length) assert.fail(`the app logged errors or broke its CSP:\n${errors.join('\n')}`);
});
