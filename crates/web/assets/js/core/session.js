// Who is signed in, and keeping their access token fresh.
//
// Tokens live in localStorage so a reload or a second tab stays signed in; the strict CSP (no
// inline or foreign scripts) is what protects them (SECURITY.md). Refresh tokens rotate and a
// reused one ends the session, so two tabs must never refresh with the same one: refreshing
// runs under a Web Lock and re-reads storage first, and a tab that finds a newer token simply
// takes it.

const KEY = 'pp_session';
const EARLY_MS = 60_000; // refresh this long before the access token expires
const listeners = new Set();
let current = read();
let timer = null;
let inFlight = null;

function read() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) ?? null;
  } catch {
    return null;
  }
}

function write(value) {
  // Reads the service worker kept for offline use belong to this person only.
  if (!value || value.user?.id !== current?.user?.id) globalThis.caches?.delete('pp-data').catch(() => {});
  current = value;
  if (value) localStorage.setItem(KEY, JSON.stringify(value));
  else localStorage.removeItem(KEY);
  changed();
}

function changed() {
  schedule();
  for (const listener of [...listeners]) listener(current);
}

// Another tab signed in, refreshed or signed out.
window.addEventListener('storage', (event) => {
  if (event.key !== KEY && event.key !== null) return;
  current = read();
  changed();
});

function schedule() {
  clearTimeout(timer);
  if (!current?.refreshToken) return;
  const wait = Math.max(5_000, current.expiresAt - Date.now() - EARLY_MS);
  timer = setTimeout(() => refresh().catch(() => {}), wait);
}

// Timers sleep in background tabs: check again when the tab comes back.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && current && current.expiresAt - Date.now() < EARLY_MS) {
    refresh().catch(() => {});
  }
});

/** Exchange the refresh token for a new pair. Resolves to the session, or null when it has
 * ended (signed out elsewhere, expired): the session is then cleared. Rejects on a network
 * failure, keeping the session for later. */
async function refresh() {
  if (inFlight) return inFlight;
  const startedWith = current?.refreshToken;
  const run = async () => {
    const latest = read();
    if (!latest?.refreshToken) {
      write(null);
      return null;
    }
    // Another tab rotated it while we waited for the lock.
    if (latest.refreshToken !== startedWith && latest.expiresAt - Date.now() > EARLY_MS) {
      current = latest;
      changed();
      return latest;
    }
    const response = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: latest.refreshToken }),
    });
    if (response.status === 401) {
      write(null);
      return null;
    }
    if (!response.ok) throw new Error(`refresh failed: ${response.status}`);
    const { data } = await response.json();
    const next = { ...latest, token: data.token, refreshToken: data.refreshToken, expiresAt: Date.now() + data.expiresIn * 1000 };
    write(next);
    return next;
  };
  inFlight = (navigator.locks ? navigator.locks.request('pp-refresh', run) : run()).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

export const session = {
  get: () => current,
  homeId: () => current?.user?.homeId ?? null,
  userId: () => current?.user?.id ?? null,
  /** Store an answer of register, login, refresh, password change or invite accept. */
  set(auth) {
    const base = current ?? {};
    write({
      ...base,
      token: auth.token ?? base.token,
      refreshToken: auth.refreshToken ?? base.refreshToken,
      expiresAt: auth.expiresIn ? Date.now() + auth.expiresIn * 1000 : base.expiresAt,
      user: auth.user ? { ...base.user, ...auth.user } : base.user,
    });
  },
  /** After `POST /api/homes/:id/activate` or accepting an invite: a token bound to that home. */
  setHome(homeId, token, expiresIn) {
    if (!current) return;
    write({
      ...current,
      token: token ?? current.token,
      expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : current.expiresAt,
      user: { ...current.user, homeId },
    });
  },
  setUser(patch) {
    if (current) write({ ...current, user: { ...current.user, ...patch } });
  },
  clear: () => write(null),
  refresh,
  onChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

schedule();
