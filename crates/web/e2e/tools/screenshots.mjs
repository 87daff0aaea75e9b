#!/usr/bin/env node
// Screenshots of every screen at phone (390x844) and desktop (1280x800) size, of a seeded
// household, for docs/screenshots/. Starts only the browser: the server is PIXIE_URL
// (tools/with-server.sh starts one).
//
//   PIXIE_URL=http://127.0.0.1:3104 node tools/screenshots.mjs [--out DIR] [--dark]
//
// Each file is the viewport as a person sees it (fixed bars stay where they belong), a PNG at
// device scale 1; the size of each is printed, with a warning past MAX_BYTES.
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DESKTOP, PHONE, launchBrowser, watchContext } from '../lib/browser.mjs';
import { newPerson, signUp } from '../lib/api.mjs';
import { seedHousehold } from '../lib/seed.mjs';
import { useSession } from '../lib/session.mjs';

const MAX_BYTES = 250 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    out: { type: 'string', default: resolve(here, '../../../../docs/screenshots') },
    dark: { type: 'boolean', default: false },
  },
});
const baseUrl = (process.env.PIXIE_URL || '').replace(/\/$/, '');
if (!baseUrl) {
  console.error('PIXIE_URL is not set (or run through tools/with-server.sh)');
  process.exit(2);
}

const household = await seedHousehold(baseUrl);
// A brand-new person, for the welcome steps a sign-up leads to.
const newcomer = await signUp(baseUrl, newPerson('Carol'));

/** name -> how to reach it: the path, and who is signed in (none, alice, or the newcomer). */
const SCREENS = [
  { name: 'signin', path: '/signin' },
  { name: 'signup', path: '/signup' },
  { name: 'onboarding', path: '/welcome', auth: newcomer.auth, onboarded: false },
  { name: 'pantry', path: '/pantry', auth: household.alice.auth },
  { name: 'lists', path: `/lists/${household.lists.quick.id}`, auth: household.alice.auth },
  { name: 'chat', path: `/chat/${household.thread.id}`, auth: household.alice.auth },
  { name: 'activity', path: '/activity', auth: household.alice.auth },
  { name: 'settings', path: '/settings', auth: household.alice.auth },
];
const SIZES = [
  { suffix: 'phone', viewport: PHONE },
  { suffix: 'desktop', viewport: DESKTOP },
];

await mkdir(options.out, { recursive: true });
const browser = await launchBrowser();
const problems = [];
try {
  for (const screen of SCREENS) {
    for (const size of SIZES) {
      const file = join(options.out, `${screen.name}-${size.suffix}${options.dark ? '-dark' : ''}.png`);
      problems.push(...(await shoot(screen, size.viewport, file)));
    }
  }
} finally {
  await browser.close();
}
for (const problem of problems) console.warn(`warning: ${problem}`);

async function shoot(screen, viewport, file) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    deviceScaleFactor: 1,
    colorScheme: options.dark ? 'dark' : 'light',
    reducedMotion: 'reduce',
  });
  try {
    const seen = await watchContext(context, screen.name);
    if (screen.auth) await useSession(context, screen.auth, { onboarded: screen.onboarded ?? true });
    const page = await context.newPage();
    await page.goto(screen.path, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 10_000 }).catch(() => {
      seen.push(`${screen.name}: the app never set data-ready`);
    });
    // Let live data and fonts settle, and the caret stop blinking into the picture.
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    await page.screenshot({ path: file, caret: 'hide', animations: 'disabled' });
    const { size } = await stat(file);
    if (size > MAX_BYTES) seen.push(`${file} is ${Math.round(size / 1024)} KB (over ${MAX_BYTES / 1024} KB)`);
    console.log(`${file}  ${Math.round(size / 1024)} KB  (${new URL(page.url()).pathname})`);
    return seen;
  } finally {
    await context.close();
  }
}
