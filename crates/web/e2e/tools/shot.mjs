#!/usr/bin/env node
// Screenshot of one page of the app, signed in as a throwaway user.
//
//   node tools/shot.mjs URL OUT.png [--width 390] [--height 844] [--dark] [--signed-out]
//                       [--fresh] [--wait-for SELECTOR] [--delay MS]
//
// The user is signed up over the API on URL's origin the first time and remembered in
// $TMPDIR/pixie-shot-<host>-<port>.json, so later shots see the same home (use --fresh for a
// new one). /signin, /signup and /join/... are shot signed out, as is anything with --signed-out.
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, watchContext } from '../lib/browser.mjs';
import { ApiClient, signUp } from '../lib/api.mjs';
import { useSession } from '../lib/session.mjs';

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    width: { type: 'string', default: '390' },
    height: { type: 'string', default: '844' },
    dark: { type: 'boolean', default: false },
    'signed-out': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    'wait-for': { type: 'string' },
    delay: { type: 'string', default: '0' },
  },
});
const [target, out] = positionals;
if (!target || !out) {
  console.error('usage: shot.mjs URL OUT.png [--width 390 --height 844 --dark --signed-out --fresh --wait-for SEL --delay MS]');
  process.exit(2);
}

const url = new URL(target);
const signedOut = options['signed-out'] || /^\/(signin|signup|join\/)/.test(url.pathname);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({
    viewport: { width: Number(options.width), height: Number(options.height) },
    deviceScaleFactor: 1,
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const problems = await watchContext(context, 'shot');
  if (!signedOut) {
    const auth = await rememberedSession(url.origin, options.fresh);
    await useSession(context, auth);
    console.log(`signed in as ${auth.user.email}`);
  }
  const page = await context.newPage();
  await page.goto(url.href, { waitUntil: 'networkidle' });
  if (options['wait-for']) await page.waitForSelector(options['wait-for'], { timeout: 10_000 });
  await page.waitForTimeout(Number(options.delay));
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out} (${page.url()})`);
  for (const problem of problems) console.warn(problem);
} finally {
  await browser.close();
}

/** A live session for this origin: the remembered one (refreshed), or a new sign-up. */
async function rememberedSession(origin, fresh) {
  const { hostname, port } = new URL(origin);
  const file = join(tmpdir(), `pixie-shot-${hostname}-${port}.json`);
  if (!fresh) {
    try {
      const saved = JSON.parse(await readFile(file, 'utf8'));
      const client = new ApiClient(origin);
      const renewed = await client.post('/api/auth/refresh', { refreshToken: saved.refreshToken });
      const auth = { ...saved, ...renewed };
      await writeFile(file, JSON.stringify(auth));
      return auth;
    } catch {
      // No file, or the session ended (server restarted on a new data dir): sign up again.
    }
  }
  const client = await signUp(origin);
  await writeFile(file, JSON.stringify(client.auth));
  return client.auth;
}
