// The tab's one live socket (`docs/live.md`): the token in the subprotocol, resume from the
// last change seen after any drop, reconnect with backoff, no polling.
import { useEffect, useRef } from '../lib/preact.js';
import { session } from './session.js';
import { createStore } from './store.js';

/** `online` (socket open), `connecting`, or `offline` (no network, or the server is away). */
export const liveState = createStore({ state: navigator.onLine ? 'connecting' : 'offline' });

const CHANGE_FRAMES = new Set(['inventory_update', 'list_update', 'home_update', 'notification']);
const handlers = new Map(); // frame type -> Set<callback>
const resyncHandlers = new Set();
const lastSeq = new Map(); // homeId -> seq of the last change applied
const awaitingResume = new Map(); // homeId -> since, until the resume's `subscribed`
let socket = null;
let socketToken = null;
let attempt = 0;
let retryTimer = null;
let heartbeat = null;
let pongDue = null;
let started = false;

function setState(state) {
  if (liveState.get().state !== state) liveState.set({ state });
}

function emit(type, frame) {
  for (const cb of [...(handlers.get(type) ?? [])]) {
    try {
      cb(frame);
    } catch (error) {
      console.warn('live handler failed', error);
    }
  }
}

function resync(homeId) {
  for (const cb of [...resyncHandlers]) cb(homeId);
}

function connect() {
  clearTimeout(retryTimer);
  const current = session.get();
  if (!current?.token || !navigator.onLine) {
    setState(current ? 'offline' : 'connecting');
    return;
  }
  setState('connecting');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${location.host}/api/ws`, ['pixie.v1', `auth-${current.token}`]);
  socket = ws;
  socketToken = current.token;
  ws.onopen = () => {
    if (socket !== ws) return;
    attempt = 0;
    setState('online');
    for (const [homeId, since] of lastSeq) {
      awaitingResume.set(homeId, since);
      ws.send(JSON.stringify({ type: 'resume', payload: { homeId, since } }));
    }
    startHeartbeat(ws);
  };
  ws.onmessage = (event) => {
    if (socket !== ws) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    receive(frame);
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    stopHeartbeat();
    closed(event.code);
  };
}

function receive(frame) {
  clearTimeout(pongDue);
  const homeId = frame.homeId ?? frame.payload?.homeId;
  if (frame.type === 'subscribed') {
    const { seq } = frame.payload;
    const since = awaitingResume.get(homeId);
    if (since === undefined) {
      // A fresh subscription: nothing to resume, the screens load the current state.
      if (!lastSeq.has(homeId)) lastSeq.set(homeId, seq);
    } else if (seq === since) {
      awaitingResume.delete(homeId);
      lastSeq.set(homeId, seq);
    }
  } else if (frame.type === 'resync_required') {
    awaitingResume.delete(homeId);
    lastSeq.set(homeId, frame.payload.latestSeq);
    resync(homeId);
  } else if (CHANGE_FRAMES.has(frame.type) && typeof frame.seq === 'number') {
    // Frames of the initial subscription that precede the resume's `subscribed`, and any
    // change already applied, are skipped: the resume replays them in order.
    if (awaitingResume.has(homeId)) return;
    if (frame.seq <= (lastSeq.get(homeId) ?? -1)) return;
    lastSeq.set(homeId, frame.seq);
  } else if (frame.type === 'unsubscribed' && frame.payload?.reason !== 'requested') {
    lastSeq.delete(homeId);
  }
  emit(frame.type, frame);
  emit('*', frame);
}

async function closed(code) {
  setState(navigator.onLine ? 'connecting' : 'offline');
  if (!session.get()) return;
  // 4001: the token expired or the session ended. A refused upgrade shows as 1006 and may be
  // the same thing: refresh (which clears the session if it has ended), then reconnect.
  if (code === 4001 || (code === 1006 && attempt >= 1)) {
    try {
      if (!(await session.refresh())) return;
    } catch {
      // offline: the backoff below tries again
    }
  }
  const delay = code === 1001 ? 250 + Math.random() * 750 : Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random());
  attempt += 1;
  retryTimer = setTimeout(connect, delay);
}

// A connection can die without a close (a phone changing networks): ping, and expect an answer.
function startHeartbeat(ws) {
  stopHeartbeat();
  heartbeat = setInterval(() => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send('{"type":"ping","payload":{}}');
    pongDue = setTimeout(() => ws.close(4000, 'no pong'), 10_000);
  }, 25_000);
}

function stopHeartbeat() {
  clearInterval(heartbeat);
  clearTimeout(pongDue);
}

function reconnect() {
  const old = socket;
  socket = null;
  stopHeartbeat();
  if (old && old.readyState <= WebSocket.OPEN) old.close(1000);
  attempt = 0;
  connect();
}

export const live = {
  /** Open the socket and keep it open while someone is signed in. */
  start() {
    if (started) return;
    started = true;
    let known = session.get();
    session.onChange((next) => {
      const homeChanged = known?.user?.homeId !== next?.user?.homeId;
      const userChanged = known?.user?.id !== next?.user?.id;
      known = next;
      if (!next) {
        lastSeq.clear();
        reconnect();
      } else if (userChanged || homeChanged) {
        lastSeq.clear();
        reconnect();
      } else if (!socket && next.token !== socketToken) {
        connect();
      }
    });
    window.addEventListener('online', () => {
      if (socket?.readyState === WebSocket.OPEN) setState('online');
      else if (!socket) connect();
    });
    window.addEventListener('offline', () => setState('offline'));
    connect();
  },
  get state() {
    return liveState.get().state;
  },
  /** Listen to frames of one type (`'*'` for all). Returns the unsubscribe function. */
  on(type, cb) {
    if (!handlers.has(type)) handlers.set(type, new Set());
    handlers.get(type).add(cb);
    return () => handlers.get(type).delete(cb);
  },
  /** Called with the home id when a resume could not fill a gap: reload over REST. */
  onResync(cb) {
    resyncHandlers.add(cb);
    return () => resyncHandlers.delete(cb);
  },
  /** Send a frame; false when the socket is not open. */
  send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  },
};

/** Subscribe a component to frames of `type` for its lifetime; the latest `cb` is used. */
export function useLive(type, cb) {
  const ref = useRef(cb);
  ref.current = cb;
  useEffect(() => live.on(type, (frame) => ref.current(frame)), [type]);
}

/** Reload a component's data after a gap the socket could not fill. */
export function useResync(cb) {
  const ref = useRef(cb);
  ref.current = cb;
  useEffect(() => live.onResync((homeId) => ref.current(homeId)), []);
}
