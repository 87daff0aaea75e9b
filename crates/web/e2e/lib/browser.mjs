// Launching Debian's chromium through playwright-core, and watching pages for CSP and console
// errors. Nothing here downloads a browser: CHROMIUM_PATH (default /usr/bin/chromium) must exist.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Starts a headless chromium; fails with the install hint when it is missing. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
}

/**
 * Collects everything on a page that means the app broke or the CSP refused something:
 * console errors, uncaught exceptions and `securitypolicyviolation` events (reported from the
 * page through an exposed binding, so they arrive even if the console is quiet).
 * Call it on a context: every page opened in it is watched.
 */
export async function watchContext(context, label = 'page') {
  const problems = [];
  await context.exposeBinding('__pixieReportViolation', ({ page }, text) => {
    problems.push(`${label} CSP violation on ${safeUrl(page)}: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const text = `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile || ''}:${event.lineNumber || 0})`;
      // The binding may not be installed on the very first tick: retry for up to a second.
      const report = (tries) => {
        if (window.__pixieReportViolation) window.__pixieReportViolation(text);
        else if (tries > 0) setTimeout(() => report(tries - 1), 50);
      };
      report(20);
    });
  });
  const watch = (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error' && !isExpectedConsoleError(message.text())) {
        const source = message.location()?.url;
        problems.push(`${label} console error on ${safeUrl(page)}: ${message.text()}${source ? ` (${source})` : ''}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`${label} uncaught error on ${safeUrl(page)}: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return problems;
}

/**
 * Console errors the browser itself prints for things a test does on purpose: requests that
 * fail while the context is offline, and the 401s a signed-out tab receives.
 */
function isExpectedConsoleError(text) {
  return /ERR_INTERNET_DISCONNECTED|net::ERR_NETWORK_CHANGED|Failed to load resource: the server responded with a status of 401/.test(text)
    || /WebSocket connection to .* failed/.test(text);
}

function safeUrl(page) {
  try {
    return new URL(page.url()).pathname;
  } catch {
    return page.url();
  }
}
