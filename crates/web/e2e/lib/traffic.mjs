// What a first load costs on the wire, for the budget test and tools/budget.mjs alike.

/**
 * The app fetches the screens it has not shown yet in the background, two seconds after the
 * first one (so a tab can switch screens offline): like the service worker's precache, that is
 * not part of the first load. True for a screen module other than `firstScreen` (`pantry.js`).
 */
export function isWarmUp(url, firstScreen) {
  const match = new URL(url).pathname.match(/^\/js\/screens\/([^/]+\.js)$/);
  return !!match && match[1] !== firstScreen;
}

/**
 * Starts counting `page`'s traffic with an empty, disabled HTTP cache: every request (a redirect
 * hop counts as one) and the bytes that crossed the wire (headers and compressed bodies, CDP
 * `Network.loadingFinished`), leaving out the background warm-up. Answers the live tally
 * `{requests, bytes, files: [[bytes, url]…]}` and the CDP session (for throttling).
 */
export async function countTraffic(context, page, { firstScreen }) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const traffic = { requests: 0, bytes: 0, files: [] };
  const urls = new Map();
  cdp.on('Network.requestWillBeSent', (event) => {
    if (isWarmUp(event.request.url, firstScreen)) return;
    traffic.requests += 1;
    urls.set(event.requestId, event.request.url);
  });
  cdp.on('Network.loadingFinished', (event) => {
    if (!urls.has(event.requestId)) return;
    traffic.bytes += event.encodedDataLength;
    traffic.files.push([event.encodedDataLength, urls.get(event.requestId)]);
  });
  return { traffic, cdp };
}
