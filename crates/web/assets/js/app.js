// The shell: which screen a path shows, who may see it, and the frame around it (navigation,
// connection state, changes waiting to be sent, changes the server refused).
import { html, useEffect, useState, Icon, Toasts } from './lib/ui.js';
import { Link, match, navigate, safeNext, useRoute } from './core/router.js';
import { session } from './core/session.js';
import { liveState } from './core/live.js';
import { useStore } from './core/store.js';
import { queue, useFailed, usePending } from './core/queue.js';
import { loadHome, useHome } from './core/home.js';
import { loadUnread, useUnreadCount } from './core/unread.js';

// Screens load on first use, so the first paint fetches only the shell and one screen.
const SCREENS = [
  { pattern: '/signin', load: () => import('./screens/auth.js'), name: 'SignInScreen', public: true },
  { pattern: '/signup', load: () => import('./screens/auth.js'), name: 'SignUpScreen', public: true },
  { pattern: '/join/:code', load: () => import('./screens/join.js'), name: 'JoinScreen', public: true, bare: true },
  { pattern: '/welcome', load: () => import('./screens/onboarding.js'), name: 'OnboardingScreen', bare: true },
  { pattern: '/', load: () => import('./screens/pantry.js'), name: 'PantryScreen', title: 'Pantry' },
  { pattern: '/pantry', load: () => import('./screens/pantry.js'), name: 'PantryScreen', title: 'Pantry' },
  { pattern: '/lists', load: () => import('./screens/lists.js'), name: 'ListsScreen', title: 'Lists' },
  { pattern: '/lists/:listId', load: () => import('./screens/lists.js'), name: 'ListsScreen', title: 'Lists' },
  { pattern: '/chat', load: () => import('./screens/chat.js'), name: 'ChatScreen', title: 'Pixie' },
  { pattern: '/chat/:threadId', load: () => import('./screens/chat.js'), name: 'ChatScreen', title: 'Pixie' },
  { pattern: '/activity', load: () => import('./screens/activity.js'), name: 'ActivityScreen', title: 'Activity' },
  { pattern: '/settings', load: () => import('./screens/settings.js'), name: 'SettingsScreen', title: 'Settings' },
];

const NAV = [
  { href: '/pantry', label: 'Pantry', icon: 'box', active: (p) => p === '/' || p.startsWith('/pantry') },
  { href: '/lists', label: 'Lists', icon: 'list', active: (p) => p.startsWith('/lists') },
  { href: '/chat', label: 'Pixie', icon: 'chat', active: (p) => p.startsWith('/chat') },
  { href: '/activity', label: 'Activity', icon: 'bell', active: (p) => p.startsWith('/activity') },
  { href: '/settings', label: 'Settings', icon: 'gear', active: (p) => p.startsWith('/settings') },
];

function resolve(path) {
  for (const screen of SCREENS) {
    const params = match(screen.pattern, path);
    if (params) return { screen, params };
  }
  return null;
}

function useSignedIn() {
  const [signedIn, setSignedIn] = useState(!!session.get());
  useEffect(() => session.onChange((s) => setSignedIn(!!s)), []);
  return signedIn;
}

export function App() {
  const route = useRoute();
  const signedIn = useSignedIn();
  const found = resolve(route.path);

  // Who may see what: signed-out people go to sign in and come back afterwards.
  useEffect(() => {
    if (!found) return;
    if (!signedIn && !found.screen.public) {
      const next = route.path === '/' ? '' : `?next=${encodeURIComponent(route.path + location.search)}`;
      navigate(`/signin${next}`, { replace: true });
    } else if (signedIn && (route.path === '/signin' || route.path === '/signup')) {
      navigate(safeNext(route.query.get('next')) ?? '/pantry', { replace: true });
    }
  }, [signedIn, route.path]);

  useEffect(() => {
    if (signedIn) {
      loadHome();
      loadUnread();
    }
  }, [signedIn]);

  if (!found) return html`<${Frame} signedIn=${signedIn} path=${route.path}><${NotFound} /><//>`;
  const { screen, params } = found;
  if (!signedIn && !screen.public) return null;
  const content = html`<${Lazy} key=${screen.pattern} screen=${screen} params=${params} query=${route.query} />`;
  if (screen.public && !signedIn) return html`<main id="main" class="public">${content}</main><${Toasts} />`;
  if (screen.bare) return html`<main id="main" class="public">${content}</main><${Toasts} />`;
  return html`<${Frame} signedIn=${signedIn} path=${route.path}>${content}<//>`;
}

function Lazy({ screen, params, query }) {
  const [Component, setComponent] = useState(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    screen
      .load()
      .then((module) => live && setComponent(() => module[screen.name]))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [screen]);
  useEffect(() => {
    if (!Component) return;
    requestAnimationFrame(() => (document.documentElement.dataset.ready = 'true'));
    warmUpScreens();
  }, [Component]);
  if (failed) return html`<p class="empty">This screen could not be loaded. Check your connection and reload.</p>`;
  if (!Component) return html`<div class="screen-loading" aria-busy="true"></div>`;
  return html`<${Component} params=${params} query=${query} />`;
}

/** Once the first screen is up, fetch the others in the background: a tab opened online can then
 * switch screens after the connection drops, even before the service worker controls it. */
let warmed = false;
function warmUpScreens() {
  if (warmed) return;
  warmed = true;
  const idle = window.requestIdleCallback ?? ((cb) => setTimeout(cb, 0));
  setTimeout(() => idle(() => SCREENS.forEach((screen) => screen.load().catch(() => {}))), 2_000);
}

function Frame({ path, children }) {
  const { home } = useHome();
  const unread = useUnreadCount();
  return html`
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="topbar">
      <span class="brand"><img src="/icons/icon.svg" alt="" width="28" height="28" /> <span>${home?.name ?? 'Pantry Pixie'}</span></span>
      <span class="topbar-status"><${PendingBadge} /><${Connection} /></span>
    </header>
    <nav class="tabs" aria-label="Main">
      <ul>
        ${NAV.map(
          (item) => html`<li key=${item.href}>
            <${Link} href=${item.href} class="tab" aria-current=${item.active(path) ? 'page' : undefined}>
              <${Icon} name=${item.icon} />
              <span class="tab-label">${item.label}</span>
              ${item.href === '/activity' && unread > 0 ? html`<span class="tab-badge" aria-label=${`${unread} unread`}>${unread > 99 ? '99+' : unread}</span>` : null}
            <//>
          </li>`,
        )}
      </ul>
    </nav>
    <${Conflicts} />
    <main id="main" tabindex="-1">${children}</main>
    <${Toasts} />`;
}

function Connection() {
  const { state } = useStore(liveState);
  const text = state === 'online' ? 'Live' : state === 'offline' ? 'Offline' : 'Connecting…';
  return html`<span class=${`conn conn-${state}`} data-testid="connection" role="status" title=${state === 'online' ? 'Changes appear as they happen' : 'Changes are kept and sent when the connection returns'}>
    ${state === 'offline' ? html`<${Icon} name="wifi-off" />` : html`<span class="dot" aria-hidden="true"></span>`} ${text}
  </span>`;
}

function PendingBadge() {
  const pending = usePending();
  if (!pending.length) return null;
  return html`<span class="pending" data-testid="pending">${pending.length} ${pending.length === 1 ? 'change' : 'changes'} waiting</span>`;
}

/** Changes the server refused: shown until the person dismisses or retries each one. */
function Conflicts() {
  const failed = useFailed();
  if (!failed.length) return null;
  return html`<section class="conflicts" data-testid="conflicts" aria-label="Changes that could not be saved" role="alert">
    <ul>
      ${failed.map(
        (op) => html`<li key=${op.id}>
          <span><strong>${op.label ?? 'A change'}</strong> couldn't be saved: ${op.error}</span>
          <span class="row">
            <button type="button" class="btn btn-ghost" onClick=${() => queue.retry(op.id)}>Retry</button>
            <button type="button" class="btn btn-ghost" onClick=${() => queue.dismiss(op.id)}>Dismiss</button>
          </span>
        </li>`,
      )}
    </ul>
  </section>`;
}

function NotFound() {
  return html`<section class="screen"><h1>Nothing here</h1><p><${Link} href="/pantry">Go to the pantry</${Link}></p></section>`;
}
