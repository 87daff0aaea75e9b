// What every browser test shares: the server under test, one chromium per test file, and
// contexts (one per person or device) that are watched for console errors and CSP violations.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, watchContext, PHONE } from './browser.mjs';
import { useSession } from './session.mjs';

export const BASE_URL = (process.env.PIXIE_URL || '').replace(/\/$/, '');

/** Starts one browser for the test file; the answer's `.browser` is set once `before` ran. */
export function useBrowser() {
  const holder = { browser: null };
  before(async () => {
    assert.ok(BASE_URL, 'PIXIE_URL must name the server under test, e.g. http://127.0.0.1:3104');
    holder.browser = await launchBrowser();
  });
  after(async () => {
    await holder.browser?.close();
  });
  return holder;
}

/**
 * The devices of one test. `open` gives a new context (a phone by default) with its own
 * storage, optionally signed in as `auth`, on `path`. `finish` fails the test on any console
 * error or CSP violation seen on any of its pages; the contexts close when the test ends.
 */
export class Devices {
  constructor(browser, t) {
    this.browser = browser;
    this.contexts = [];
    this.problems = [];
    t.after(() => Promise.all(this.contexts.map((context) => context.close().catch(() => {}))));
  }

  async open({ auth = null, path = '/', label = `device ${this.contexts.length + 1}`, viewport = PHONE } = {}) {
    const context = await this.browser.newContext({ baseURL: BASE_URL, viewport, deviceScaleFactor: 1 });
    this.contexts.push(context);
    const problems = await watchContext(context, label);
    this.problems.push(problems);
    if (auth) await useSession(context, auth);
    const page = await context.newPage();
    await page.goto(path);
    return { context, page };
  }

  finish() {
    const all = this.problems.flat();
    if (all.length) assert.fail(`the app logged errors or broke its CSP:\n${all.join('\n')}`);
  }
}

/** Waits until the page's connection indicator says Live (the socket is subscribed). */
export async function waitUntilLive(page, timeout = 10_000) {
  await page.getByTestId('connection').filter({ hasText: /^\s*Live\s*$/ }).waitFor({ state: 'attached', timeout });
}

/** Polls `check` (async, answers a truthy value when done) until it does, or fails. */
export async function eventually(check, { timeout = 10_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${last?.message ?? JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
