// The active home: its row, the caller's role and the members, loaded once and kept fresh
// from `home_update` frames.
import { useEffect, useState } from '../lib/preact.js';
import { api } from './api.js';
import { live } from './live.js';
import { session } from './session.js';
import { createStore, useStore } from './store.js';

export const currentHome = createStore({ home: null, role: null, members: [], loading: false, error: null });

export async function loadHome() {
  const homeId = session.homeId();
  if (!homeId) {
    currentHome.set({ home: null, role: null, members: [], loading: false });
    return null;
  }
  currentHome.set({ loading: true, error: null });
  try {
    const [home, members] = await Promise.all([api('GET', `/api/homes/${homeId}`), api('GET', `/api/homes/${homeId}/members`)]);
    currentHome.set({ home, role: home.role, members, loading: false });
    return home;
  } catch (error) {
    // Removed from this home (or it was deleted): carry on in another of yours.
    if (error.status === 404 && (await moveToAnotherHome(homeId))) return loadHome();
    currentHome.set({ loading: false, error });
    return null;
  }
}

async function moveToAnotherHome(lostHomeId) {
  try {
    const homes = await api('GET', '/api/homes');
    const next = homes.find((h) => h.id !== lostHomeId) ?? (await api('POST', '/api/homes', { body: { name: 'Home' } }));
    const { token, expiresIn } = await api('POST', `/api/homes/${next.id}/activate`);
    session.setHome(next.id, token, expiresIn);
    return true;
  } catch {
    return false;
  }
}

export const useHome = () => useStore(currentHome);
export const canWrite = () => !!currentHome.get().role && currentHome.get().role !== 'viewer';
export const isAdmin = () => ['owner', 'admin'].includes(currentHome.get().role);

let reloadTimer = null;
live.on('home_update', (frame) => {
  const kind = frame.payload?.kind ?? '';
  if (!/^(home|member)\./.test(kind)) return;
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(loadHome, 150);
});
live.onResync(() => loadHome());
live.on('unsubscribed', (frame) => {
  if (frame.payload?.reason !== 'requested' && frame.payload?.homeId === session.homeId()) loadHome();
});
session.onChange((next) => {
  if (next?.user?.homeId !== currentHome.get().home?.id) loadHome();
});

/** The active home's id, re-rendering when the person switches home. */
export function useActiveHomeId() {
  const [homeId, setHomeId] = useState(session.homeId());
  useEffect(() => session.onChange(() => setHomeId(session.homeId())), []);
  return homeId;
}

