// The first-load transfer budget (docs/performance.md): a phone opening the pantry with an
// empty cache downloads at most BUDGET_KIB, in at most MAX_REQUESTS requests. Bytes do not
// depend on how busy the machine is, so this holds in CI; time to interactive is measured by
// tools/budget.mjs instead, never asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, useBrowser } from '../lib/harness.mjs';
import { PHONE } from '../lib/browser.mjs';
import { newPerson, signUp } from '../lib/api.mjs';
import { useSession } from '../lib/session.mjs';
import { countTraffic } from '../lib/traffic.mjs';

const BUDGET_KIB = 100;
const MAX_REQUESTS = 40;
const chromium = useBrowser();

test(`a cold load of the pantry transfers at most ${BUDGET_KIB} KiB`, async (t) => {
  const person = await signUp(BASE_URL, newPerson('Budget'));
  // The service worker would fetch the whole shell in the background: not part of the first
  // screen, so it is blocked here (as in tools/budget.mjs).
  const context = await chromium.browser.newContext({ baseURL: BASE_URL, viewport: PHONE, serviceWorkers: 'block' });
  try {
    await useSession(context, person.auth);
    const page = await context.newPage();
    const { traffic } = await countTraffic(context, page, { firstScreen: 'pantry.js' });
    await page.goto('/pantry');
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    await page.getByLabel('Add to pantry').waitFor();
    await page.waitForLoadState('networkidle');

    const kib = traffic.bytes / 1024;
    t.diagnostic(`first load: ${traffic.requests} requests, ${kib.toFixed(1)} KiB`);
    const top = traffic.files.sort((a, b) => b[0] - a[0]).slice(0, 5).map(([b, url]) => `${(b / 1024).toFixed(1)} KiB ${url}`);
    assert.ok(kib <= BUDGET_KIB, `first load transferred ${kib.toFixed(1)} KiB (budget ${BUDGET_KIB}); largest:\n${top.join('\n')}`);
    assert.ok(traffic.requests <= MAX_REQUESTS, `first load made ${traffic.requests} requests (budget ${MAX_REQUESTS})`);
    // Text is compressed on the wire: the largest file (the vendored Preact + htm, 13 KB plain)
    // must arrive gzipped.
    const vendor = traffic.files.find(([, url]) => url?.endsWith('/vendor/htm-preact.js'));
    assert.ok(vendor && vendor[0] < 9 * 1024, `htm-preact.js arrived as ${vendor?.[0]} bytes: not gzipped?`);
  } finally {
    await context.close();
  }
});
