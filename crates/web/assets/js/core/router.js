// Client-side routes on the History API. The server answers every page path with index.html,
// so a reload or a shared link (/join/CODE) lands on the right screen.
import { html, useEffect, useState } from '../lib/preact.js';
import { createStore } from './store.js';

const location$ = createStore(readLocation());

function readLocation() {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

window.addEventListener('popstate', () => location$.set(readLocation()));

/** Go to a path of the app without reloading. */
export function navigate(to, { replace = false } = {}) {
  if (to === window.location.pathname + window.location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  location$.set(readLocation());
  // A new screen starts at the top, and focus moves to it for screen readers.
  if (!replace) window.scrollTo(0, 0);
}

/** Only paths inside the app may be a `?next=` to return to: never another origin (`//…`). */
export function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

/** Match `/lists/:listId` against a path: the params, or null. */
export function match(pattern, path) {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

/** The current location: `{path, query}`; re-renders on navigation. */
export function useRoute() {
  const [loc, setLoc] = useState(location$.get());
  useEffect(() => location$.subscribe(setLoc), []);
  return loc;
}

export const currentPath = () => location$.get().path;
export const onNavigate = (cb) => location$.subscribe(cb);

/** A link that navigates inside the app; modified clicks (new tab) stay the browser's. */
export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
    rest.onClick?.(event);
  };
  return html`<a href=${href} ...${rest} onClick=${onClick}>${children}</a>`;
}
