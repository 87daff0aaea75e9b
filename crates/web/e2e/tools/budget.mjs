#!/usr/bin/env node
// The load budget: a cold first load (new browser context: empty cache; the service worker is
// blocked, so its background precache of the shell is not counted) of
// /signin signed out and of /pantry signed in. Per page, the median of RUNS loads of
//  - requests made by the page and bytes transferred (CDP Network.loadingFinished
//    encodedDataLength: headers and compressed bodies, as on the wire);
//  - time to interactive: navigation start until the app marks <html data-ready="true"> (its
//    first screen rendered), or until the end of the last long task before a 500 ms quiet
//    window, whichever is later.
// Prints a markdown table. Starts only the browser: the server is PIXIE_URL.
//
//   PIXIE_URL=http://127.0.0.1:3104 node tools/budget.mjs [--runs 5] [--cpu-slowdown 4]
import { parseArgs } from 'node:util';
import { PHONE, launchBrowser } from '../lib/browser.mjs';
import { signUp } from '../lib/api.mjs';
import { useSession } from '../lib/session.mjs';
import { countTraffic } from '../lib/traffic.mjs';

const QUIET_MS = 500;
const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'cpu-slowdown': { type: 'string', default: '1' },
  },
});
const baseUrl = (process.env.PIXIE_URL || '').replace(/\/$/, '');
if (!baseUrl) {
  console.error('PIXIE_URL is not set (or run through tools/with-server.sh)');
  process.exit(2);
}
const runs = Number(options.runs);
const slowdown = Number(options['cpu-slowdown']);

const person = await signUp(baseUrl);
// `screen` is the first screen's module: the others the app fetches in the background are not
// counted (lib/traffic.mjs).
const PAGES = [
  { path: '/signin', auth: null, screen: 'auth.js' },
  { path: '/pantry', auth: person.auth, screen: 'pantry.js' },
];

const browser = await launchBrowser();
const rows = [];
try {
  for (const target of PAGES) {
    const samples = [];
    for (let run = 0; run < runs; run += 1) samples.push(await coldLoad(target));
    rows.push({ path: target.path, samples });
  }
} finally {
  await browser.close();
}
printTable(rows);

/** One load in a fresh context; answers {requests, bytes, tti}. */
async function coldLoad({ path, auth, screen }) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: PHONE, serviceWorkers: 'block' });
  try {
    if (auth) await useSession(context, auth);
    await context.addInitScript(watchReadiness);
    const page = await context.newPage();
    const { traffic, cdp } = await countTraffic(context, page, { firstScreen: screen });
    if (slowdown > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    await page.goto(path);
    const tti = await page.waitForFunction(
      (quietMs) => {
        const { readyAt, lastLongTaskEnd } = window.__budget;
        if (readyAt === null) return false;
        const settledAt = Math.max(readyAt, lastLongTaskEnd);
        return performance.now() - settledAt >= quietMs ? settledAt : false;
      },
      QUIET_MS,
      { timeout: 30_000, polling: 50 },
    );
    const result = { tti: await tti.jsonValue() };
    await page.waitForLoadState('networkidle');
    return { ...result, ...traffic };
  } finally {
    await context.close();
  }
}

/** Runs in the page before its scripts: notes when the app says it is ready, and long tasks. */
function watchReadiness() {
  window.__budget = { readyAt: null, lastLongTaskEnd: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__budget.lastLongTaskEnd = Math.max(window.__budget.lastLongTaskEnd, entry.startTime + entry.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
  const noteReady = () => {
    if (window.__budget.readyAt === null && document.documentElement?.dataset.ready === 'true') {
      window.__budget.readyAt = performance.now();
    }
  };
  // <html> does not exist yet when this runs: watch the whole document.
  new MutationObserver(noteReady).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function printTable(results) {
  const cpu = slowdown > 1 ? `, CPU ${slowdown}x slower` : '';
  console.log(`Cold first load, median of ${runs} runs (${baseUrl}${cpu}):\n`);
  console.log('| page | requests | transferred | time to interactive |');
  console.log('|---|---:|---:|---:|');
  for (const { path, samples } of results) {
    const requests = median(samples.map((s) => s.requests));
    const kb = median(samples.map((s) => s.bytes)) / 1024;
    const tti = median(samples.map((s) => s.tti));
    const spread = `${Math.round(Math.min(...samples.map((s) => s.tti)))}–${Math.round(Math.max(...samples.map((s) => s.tti)))}`;
    console.log(`| \`${path}\` | ${requests} | ${kb.toFixed(1)} KB | ${Math.round(tti)} ms (${spread}) |`);
  }
}
