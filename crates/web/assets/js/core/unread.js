// The unread notices count shown on the Activity tab, kept live by `notification` frames.
import { api, homePath } from './api.js';
import { live } from './live.js';
import { session } from './session.js';
import { createStore, useStore } from './store.js';

const unread = createStore({ ids: new Set() });

export async function loadUnread() {
  if (!session.homeId()) return;
  try {
    const notices = await api('GET', homePath('/notifications'), { query: { unread: 'true', limit: 200 } });
    unread.set({ ids: new Set(notices.map((n) => n.id)) });
  } catch {
    // the badge is a hint; it catches up on the next frame or load
  }
}

export function markRead(ids) {
  unread.set((s) => ({ ids: new Set([...s.ids].filter((id) => !ids.includes(id))) }));
}

export const markAllRead = () => unread.set({ ids: new Set() });

live.on('notification', (frame) => {
  const notice = frame.notification ?? frame.payload?.notification;
  if (notice && !notice.read) unread.set((s) => ({ ids: new Set([...s.ids, notice.id]) }));
});
live.onResync(loadUnread);

export const useUnreadCount = () => useStore(unread, (s) => s.ids.size);
