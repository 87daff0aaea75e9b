// Writes that must survive a shop with no signal. Each change gets a client id and an
// Idempotency-Key when it is made, is kept in localStorage until the server acknowledges it,
// and is sent once, in the order it was made, when the connection returns: a replay after a
// lost answer changes nothing twice. A change the server refuses (a 409 conflict, a 4xx) is
// kept in `failed` and shown to the person; it is never dropped silently.
import { useEffect, useRef, useState } from '../lib/preact.js';
import { ApiError, NetworkError, api } from './api.js';
import { newId } from './ids.js';
import { liveState } from './live.js';
import { session } from './session.js';
import { createStore } from './store.js';

export const queueState = createStore({ pending: [], failed: [] });
const waiters = new Map(); // op id -> {resolve, reject}; not persisted: a reload forgets them
let flushing = false;
let retryTimer = null;

const storageKey = () => `pp_queue:${session.userId() ?? 'anon'}`;

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey())) ?? {};
    const pending = (saved.pending ?? []).map((op) => ({ ...op, status: 'pending' }));
    queueState.set({ pending, failed: saved.failed ?? [] });
  } catch {
    queueState.set({ pending: [], failed: [] });
  }
}

function save(next) {
  queueState.set(next);
  const { pending, failed } = queueState.get();
  localStorage.setItem(storageKey(), JSON.stringify({ pending, failed }));
}

function update(id, patch) {
  save((s) => ({ ...s, pending: s.pending.map((op) => (op.id === id ? { ...op, ...patch } : op)) }));
}

function settle(id, outcome) {
  const waiter = waiters.get(id);
  waiters.delete(id);
  if (!waiter) return;
  if (outcome.error) waiter.reject(outcome.error);
  else waiter.resolve(outcome.data);
}

/** Send what is waiting, oldest first; stops at the first change that cannot go yet. */
async function flush() {
  if (flushing || !session.get()) return;
  flushing = true;
  clearTimeout(retryTimer);
  try {
    while (navigator.onLine) {
      const op = queueState.get().pending[0];
      if (!op) break;
      update(op.id, { status: 'sending' });
      try {
        const data = await api(op.method, op.path, { body: op.body, idempotencyKey: op.key });
        save((s) => ({ ...s, pending: s.pending.filter((o) => o.id !== op.id) }));
        settle(op.id, { data });
      } catch (error) {
        if (error instanceof NetworkError || retryable(error)) {
          update(op.id, { status: 'pending' });
          const wait = error.retryAfter ? error.retryAfter * 1000 : 3_000;
          retryTimer = setTimeout(flush, wait);
          break;
        }
        const message = error instanceof ApiError ? error.message : String(error);
        save((s) => ({
          pending: s.pending.filter((o) => o.id !== op.id),
          failed: [...s.failed, { ...op, status: 'failed', error: message, code: error.code ?? null, httpStatus: error.status ?? null }],
        }));
        settle(op.id, { error });
      }
    }
  } finally {
    flushing = false;
  }
}

/** Worth sending again later: the server was busy, timed out, or still runs the first try. */
function retryable(error) {
  if (!(error instanceof ApiError)) return false;
  // Signed out meanwhile: keep it for when this person signs in again.
  if (error.status === 401) return true;
  return error.status >= 500 || error.status === 408 || error.status === 429 || error.code === 'IDEMPOTENCY_IN_PROGRESS';
}

export const queue = {
  /** Make a change now, or as soon as the connection allows. `done` settles with the server's
   * answer (while this page stays open). */
  submit({ method, path, body, label, kind, meta = {} }) {
    const op = { id: newId(), key: newId(), method, path, body, label, kind, meta, createdAt: new Date().toISOString(), status: 'pending' };
    const done = new Promise((resolve, reject) => waiters.set(op.id, { resolve, reject }));
    done.catch(() => {}); // the failure is shown by the shell; callers may still await it
    save((s) => ({ ...s, pending: [...s.pending, op] }));
    flush();
    return { op, done };
  },
  /** Forget a refused change (the person has seen it). */
  dismiss(id) {
    save((s) => ({ ...s, failed: s.failed.filter((o) => o.id !== id) }));
  },
  /** Try a refused change again, as a new request. */
  retry(id) {
    const op = queueState.get().failed.find((o) => o.id === id);
    if (!op) return;
    const { error, code, httpStatus, ...rest } = op;
    save((s) => ({ failed: s.failed.filter((o) => o.id !== id), pending: [...s.pending, { ...rest, key: newId(), status: 'pending' }] }));
    flush();
  },
  flush,
};

/** The changes still waiting (optionally filtered), re-rendering as they go. */
export function usePending(filter = () => true) {
  const latest = useRef(filter);
  latest.current = filter;
  const [pending, setPending] = useState(() => queueState.get().pending);
  useEffect(() => queueState.subscribe((s) => setPending(s.pending)), []);
  // Filtered at render, so a filter that depends on props is always the current one.
  return pending.filter((op) => latest.current(op));
}

export function useFailed() {
  const [failed, setFailed] = useState(queueState.get().failed);
  useEffect(() => queueState.subscribe((s) => setFailed(s.failed)), []);
  return failed;
}

load();
session.onChange(() => {
  load();
  flush();
});
window.addEventListener('online', () => flush());
liveState.subscribe(({ state }) => {
  if (state === 'online') flush();
});
// Storage events: another tab queued or sent something.
window.addEventListener('storage', (event) => {
  if (event.key === storageKey()) load();
});
