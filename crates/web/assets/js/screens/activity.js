// Activity: your notices (what needs you) and the household's feed (who did what), both live.
import { html, useState, useEffect, useRef, useCallback, Button, Badge, Empty, Spinner, Icon, toast, useMinuteTick } from '../lib/ui.js';
import { api, homePath, describe, NetworkError } from '../core/api.js';
import { useLive, useResync } from '../core/live.js';
import { canWrite } from '../core/home.js';
import { navigate } from '../core/router.js';
import { relativeTime } from '../core/format.js';
import { loadUnread, markRead, markAllRead, useUnreadCount } from '../core/unread.js';

// The shell's nav badge reads the same count (kept by core/unread.js).
export { useUnreadCount };

const NOTICE_PAGE = 30;
const ACTIVITY_PAGE = 40;
const TABS = [
  { id: 'notifications', label: 'Notifications' },
  { id: 'activity', label: 'Activity' },
];

export function ActivityScreen({ query }) {
  const [tab, setShownTab] = useState(query?.get?.('tab') === 'activity' ? 'activity' : 'notifications');
  // The tab lives in the address too, so a reload or a shared link opens the same one.
  const setTab = (next) => {
    setShownTab(next);
    navigate(next === 'activity' ? '/activity?tab=activity' : '/activity', { replace: true });
  };
  const unread = useUnreadCount();
  useMinuteTick();

  const onTabKey = (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const next = TABS[(TABS.findIndex((t) => t.id === tab) + 1) % TABS.length].id;
    setTab(next);
    document.getElementById(`activity-tab-${next}`)?.focus();
  };

  return html`<section class="screen activity-screen">
    <div class="screen-head"><h1>Activity</h1></div>
    <div class="activity-tabs" role="tablist" aria-label="Activity" onKeyDown=${onTabKey}>
      ${TABS.map((t) => html`<button
        type="button"
        role="tab"
        id=${`activity-tab-${t.id}`}
        aria-controls=${`activity-panel-${t.id}`}
        aria-selected=${tab === t.id ? 'true' : 'false'}
        tabindex=${tab === t.id ? '0' : '-1'}
        class="activity-tab"
        onClick=${() => setTab(t.id)}
      >
        ${t.label}
        ${t.id === 'notifications' && unread > 0 ? html`<span class="activity-count" aria-label=${`${unread} unread`}>${unread}</span>` : null}
      </button>`)}
    </div>
    <div role="tabpanel" id=${`activity-panel-${tab}`} aria-labelledby=${`activity-tab-${tab}`}>
      ${tab === 'notifications' ? html`<${NotificationsPanel} />` : html`<${ActivityPanel} />`}
    </div>
  </section>`;
}

// ---------------------------------------------------------------------------------------------
// Notifications: newest updated first; a coalesced notice ("Alice added 3 items") rises to the top.

const NOTICE_ICONS = { expiring_soon: 'clock', running_low: 'box', recurring_due: 'clock', partner_activity: 'bell', sunday_sync: 'sparkle' };

const newestFirst = (a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0);

function NotificationsPanel() {
  const [notices, setNotices] = useState(null);
  const [hasMore, setHasMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [failed, setFailed] = useState(null);

  const load = useCallback(async () => {
    try {
      const page = await api('GET', homePath('/notifications'), { query: { limit: NOTICE_PAGE } });
      setNotices(page);
      setHasMore(page.length === NOTICE_PAGE);
      setFailed(null);
    } catch (error) {
      setFailed(error);
    }
  }, []);

  useEffect(() => {
    load();
  }, [load]);
  useResync(load);

  useLive('notification', (frame) => {
    const notice = frame.notification ?? frame.payload?.notification;
    if (!notice) return;
    setNotices((list) => [notice, ...(list ?? []).filter((n) => n.id !== notice.id)].sort(newestFirst));
  });

  const loadMore = async () => {
    const last = notices?.[notices.length - 1];
    if (!last) return;
    setLoadingMore(true);
    try {
      const page = await api('GET', homePath('/notifications'), { query: { limit: NOTICE_PAGE, before: last.id } });
      setNotices((list) => [...list, ...page.filter((n) => !list.some((m) => m.id === n.id))]);
      setHasMore(page.length === NOTICE_PAGE);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setLoadingMore(false);
    }
  };

  const setRead = (id) => setNotices((list) => list.map((n) => (n.id === id ? { ...n, read: true } : n)));

  const markNoticeRead = async (notice) => {
    if (notice.read) return;
    setRead(notice.id);
    markRead([notice.id]);
    try {
      await api('PATCH', homePath(`/notifications/${notice.id}/read`));
    } catch (error) {
      if (!(error instanceof NetworkError)) toast(describe(error), { tone: 'danger' });
      loadUnread();
    }
  };

  const readAll = async () => {
    const before = notices;
    setNotices((list) => list.map((n) => ({ ...n, read: true })));
    markAllRead();
    try {
      await api('POST', homePath('/notifications/read-all'));
    } catch (error) {
      setNotices(before);
      loadUnread();
      toast(describe(error), { tone: 'danger' });
    }
  };

  const addToList = async (notice) => {
    try {
      const result = await api('POST', homePath(`/notifications/${notice.id}/add-to-list`));
      toast(`${result?.item?.name ?? notice.data?.itemName ?? 'It'} is on your list`);
      setNotices((list) => list.map((n) => (n.id === notice.id ? { ...n, addedToList: true } : n)));
      markNoticeRead(notice);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    }
  };

  if (failed && !notices) return html`<${LoadFailed} error=${failed} onRetry=${load} />`;
  if (!notices) return html`<${Spinner} label="Loading notifications" />`;
  if (!notices.length) {
    return html`<${Empty} title="You're all caught up">
      <p>When someone in your home adds things, or something is about to run out or expire, you'll hear about it here.</p>
    <//>`;
  }

  const anyUnread = notices.some((n) => !n.read);
  return html`<div class="stack">
    <div class="toolbar activity-toolbar">
      <span class="muted">${anyUnread ? `${notices.filter((n) => !n.read).length} new` : 'All read'}</span>
      <${Button} kind="ghost" onClick=${readAll} disabled=${!anyUnread}><${Icon} name="check" /> Mark all read<//>
    </div>
    <ul class="list-plain notice-list" aria-label="Notifications">
      ${notices.map((n) => html`<${NoticeRow} key=${n.id} notice=${n} onOpen=${markNoticeRead} onAddToList=${addToList} />`)}
    </ul>
    ${hasMore ? html`<${Button} kind="ghost" onClick=${loadMore} disabled=${loadingMore}>${loadingMore ? 'Loading…' : 'Show older notifications'}<//>` : null}
  </div>`;
}

function NoticeRow({ notice, onOpen, onAddToList }) {
  const unread = !notice.read;
  const canAdd = notice.type === 'running_low' && notice.data?.itemName && canWrite();
  const body = html`
    <span class="notice-icon" aria-hidden="true"><${Icon} name=${NOTICE_ICONS[notice.type] ?? 'bell'} /></span>
    <span class="notice-text">
      <span class="notice-title">${unread ? html`<span class="sr-only">Unread: </span>` : null}${notice.title}</span>
      ${notice.body ? html`<span class="notice-body">${notice.body}</span>` : null}
      <time class="notice-time" datetime=${notice.updatedAt}>${relativeTime(notice.updatedAt)}</time>
    </span>
    ${unread ? html`<span class="notice-dot" aria-hidden="true"></span>` : null}`;
  return html`<li class=${`notice ${unread ? 'is-unread' : ''}`} data-id=${notice.id}>
    ${unread
      ? html`<button type="button" class="notice-main" onClick=${() => onOpen(notice)}>${body}</button>`
      : html`<div class="notice-main">${body}</div>`}
    ${canAdd
      ? html`<div class="notice-actions">
          ${notice.addedToList
            ? html`<${Badge} tone="ok">On your list<//>`
            : html`<${Button} kind="ghost" onClick=${() => onAddToList(notice)}><${Icon} name="plus" /> Add to list<//>`}
        </div>`
      : null}
  </li>`;
}

// ---------------------------------------------------------------------------------------------
// The household feed: newest first; older pages by `before` = the smallest seq seen. Live change
// frames refetch the first page (debounced): the feed has the actor names the frames lack.

const CHANGE_FRAMES = ['inventory_update', 'list_update', 'home_update'];

function mergeBySeq(...pages) {
  const bySeq = new Map();
  for (const page of pages) for (const entry of page) bySeq.set(entry.seq, entry);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
}

function ActivityPanel() {
  const [entries, setEntries] = useState(null);
  const [hasMore, setHasMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [failed, setFailed] = useState(null);
  const refreshTimer = useRef(null);
  const loadedOnce = useRef(false);

  const loadFirst = useCallback(async () => {
    try {
      const page = await api('GET', homePath('/activity'), { query: { limit: ACTIVITY_PAGE } });
      // A refresh keeps the older pages already loaded; only the first load decides "more".
      if (!loadedOnce.current) setHasMore(page.length === ACTIVITY_PAGE);
      loadedOnce.current = true;
      setEntries((list) => mergeBySeq(list ?? [], page));
      setFailed(null);
    } catch (error) {
      setFailed(error);
    }
  }, []);

  useEffect(() => {
    loadFirst();
    return () => clearTimeout(refreshTimer.current);
  }, [loadFirst]);
  useResync(() => {
    loadedOnce.current = false;
    setEntries(null);
    loadFirst();
  });

  const refreshSoon = () => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(loadFirst, 400);
  };
  useLive('*', (frame) => {
    if (CHANGE_FRAMES.includes(frame.type)) refreshSoon();
  });

  const loadMore = async () => {
    const smallest = entries?.[entries.length - 1]?.seq;
    if (!smallest) return;
    setLoadingMore(true);
    try {
      const page = await api('GET', homePath('/activity'), { query: { limit: ACTIVITY_PAGE, before: smallest } });
      setEntries((list) => mergeBySeq(list, page));
      setHasMore(page.length === ACTIVITY_PAGE);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setLoadingMore(false);
    }
  };

  if (failed && !entries) return html`<${LoadFailed} error=${failed} onRetry=${loadFirst} />`;
  if (!entries) return html`<${Spinner} label="Loading activity" />`;
  if (!entries.length) return html`<${Empty} title="Nothing yet">What your household adds, ticks off and asks Pixie shows up here.<//>`;

  return html`<div class="stack">
    <ul class="list-plain activity-feed" aria-label="Household activity">
      ${entries.map((e) => html`<li key=${e.seq} class=${`activity-entry is-${e.actorKind}`}>
        <span class="activity-icon" aria-hidden="true"><${Icon} name=${entryIcon(e)} /></span>
        <span class="activity-text">
          ${describeEntry(e)}
          <span class="activity-time"> · <time datetime=${e.timestamp}>${relativeTime(e.timestamp)}</time></span>
        </span>
      </li>`)}
    </ul>
    ${hasMore
      ? html`<${Button} kind="ghost" onClick=${loadMore} disabled=${loadingMore}>${loadingMore ? 'Loading…' : 'Show older activity'}<//>`
      : html`<p class="muted activity-end">That's everything since your home began.</p>`}
  </div>`;
}

function LoadFailed({ error, onRetry }) {
  return html`<${Empty} title="Couldn't load this just now">
    <p>${describe(error)}</p>
    <${Button} kind="ghost" onClick=${onRetry}>Try again<//>
  <//>`;
}

// ---------------------------------------------------------------------------------------------
// Feed sentences: "Alice added oat milk", "Pixie, for Bob, ticked off eggs".

function actorOf(entry) {
  if (entry.actorKind === 'system') return 'Pantry Pixie';
  const name = entry.actorName ?? 'Someone';
  return entry.actorKind === 'pixie' ? `Pixie, for ${name},` : name;
}

const clip = (text, max = 60) => (text && text.length > max ? `${text.slice(0, max - 1)}…` : text ?? '');

/** What happened, after the actor: "added oat milk". Unknown kinds still read as a sentence. */
function actionOf(entry) {
  const d = entry.data ?? {};
  const item = entry.itemName ?? d.name ?? 'something';
  switch (entry.kind) {
    case 'item.added': return `added ${item}`;
    case 'item.merged': return `topped up ${item}`;
    case 'item.updated': return `updated ${item}`;
    case 'item.toggled': return `updated ${item}`;
    case 'item.consumed': return Number(d.quantity) === 0 ? `used up ${item}` : `used some ${item}`;
    case 'item.deleted': return `removed ${item} from the pantry`;
    case 'list.created': return `made a new list, ${d.name ?? 'untitled'}`;
    case 'list.updated': return `changed the list ${d.name ?? ''}`.trim();
    case 'list.deleted': return `deleted the list ${d.name ?? ''}`.trim();
    case 'list.completed': return `finished the list ${d.name ?? ''}`.trim();
    case 'list.uncompleted': return `reopened the list ${d.name ?? ''}`.trim();
    case 'list.reset': return `started a fresh round of ${d.name ?? 'a list'}`;
    case 'list.reordered': return 'reordered the lists';
    case 'list_item.added': return `put ${item} on the list`;
    case 'list_item.updated': return `changed ${item} on the list`;
    case 'list_item.removed': return `took ${item} off the list`;
    case 'list_item.toggled': return d.isCompleted ? `ticked off ${item}` : `unticked ${item}`;
    case 'list_item.bought': return `bought ${item}`;
    case 'list_item.reordered': return 'reordered a list';
    case 'chat.message_added':
      return d.role === 'assistant' ? 'got an answer from Pixie' : `asked Pixie “${clip(d.content)}”`;
    case 'receipt.confirmed': return `added a receipt${d.itemCount ? ` with ${d.itemCount} items` : ''}`;
    case 'home.created': return `created the home${d.name ? ` ${d.name}` : ''}`;
    case 'home.updated': return 'updated the home settings';
    case 'home.imported': return 'imported the home';
    case 'home.ownership_transferred': return 'handed over ownership of the home';
    case 'member.joined': return 'joined the home';
    case 'member.left': return 'left the home';
    case 'member.removed': return 'removed a member';
    case 'member.role_changed': return `changed a member's role${d.role ? ` to ${d.role}` : ''}`;
    case 'invite.created': return 'created an invite';
    case 'invite.revoked': return 'cancelled an invite';
    default: return `made a change (${(entry.kind ?? entry.type ?? 'unknown').replace(/[._]/g, ' ')})`;
  }
}

function describeEntry(entry) {
  // Pixie's own replies read better with Pixie as the subject.
  if (entry.kind === 'chat.message_added' && entry.actorKind === 'pixie') {
    return `Pixie answered ${entry.actorName ?? 'someone'}`;
  }
  return `${actorOf(entry)} ${actionOf(entry)}`;
}

function entryIcon(entry) {
  const kind = entry.kind ?? '';
  if (kind.startsWith('item.') || kind.startsWith('receipt.')) return 'box';
  if (kind.startsWith('list')) return 'list';
  if (kind.startsWith('chat.')) return 'chat';
  if (kind.startsWith('member.') || kind.startsWith('invite.')) return 'plus';
  return 'bell';
}
