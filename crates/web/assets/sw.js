// Service worker: the app opens without a connection (the shell from cache) and shows the
// pantry and lists as last seen. Writes made offline wait in the page's queue (queue.js), not
// here. The shell is fetched network-first, so an upgraded server is picked up at once.
const VERSION = 'pp-v1';
const SHELL = `${VERSION}-shell`;
const DATA = 'pp-data'; // last good answers of the reads below; cleared at sign-out (session.js)
const SHELL_FILES = [
  '/', '/index.html', '/app.css', '/css/pantry-lists.css', '/css/chat-activity.css', '/css/account.css',
  '/manifest.webmanifest', '/icons/icon.svg', '/vendor/htm-preact.js',
  '/js/main.js', '/js/app.js', '/js/lib/preact.js', '/js/lib/ui.js',
  '/js/core/api.js', '/js/core/format.js', '/js/core/home.js', '/js/core/ids.js', '/js/core/live.js',
  '/js/core/queue.js', '/js/core/quickadd.js', '/js/core/router.js', '/js/core/session.js', '/js/core/store.js', '/js/core/unread.js',
  '/js/screens/auth.js', '/js/screens/pantry.js', '/js/screens/lists.js', '/js/screens/chat.js',
  '/js/screens/cards.js', '/js/screens/activity.js', '/js/screens/settings.js', '/js/screens/onboarding.js',
  '/js/screens/join.js',
];
// Reads worth keeping for offline use: the home, its members, the pantry and the lists.
const CACHED_READS = /^\/api\/homes\/[^/]+(\/members|\/items|\/lists(\/[^/]+)?)?$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => Promise.allSettled(SHELL_FILES.map((f) => cache.add(new Request(f, { cache: 'no-cache' }))))).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== SHELL && k !== DATA).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === '/api/ws' || url.pathname === '/ws') return;
  if (url.pathname.startsWith('/api/')) {
    if (CACHED_READS.test(url.pathname)) event.respondWith(networkFirst(request, DATA));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, SHELL, '/index.html'));
    return;
  }
  event.respondWith(networkFirst(request, SHELL));
});

async function networkFirst(request, cacheName, fallbackPath) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = (await cache.match(request, { ignoreVary: true })) ?? (fallbackPath && (await cache.match(fallbackPath)));
    if (cached) return cached;
    throw error;
  }
}
