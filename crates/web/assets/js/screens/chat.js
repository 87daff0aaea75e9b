// Pixie chat: the household's threads, one conversation, and the composer. Replies stream in
// over the live socket (`ui_message` frames) and are replaced by the stored message when it
// lands (`chat.message_added`), so every device ends up showing the same thing.
import {
  html, useState, useEffect, useRef, useReducer, useCallback, useLayoutEffect, useMemo,
  Button, Field, Sheet, Empty, Spinner, Icon, toast, confirmDialog, useMinuteTick,
} from '../lib/ui.js';
import { api, homePath, describe, ApiError, NetworkError } from '../core/api.js';
import { live, liveState, useLive, useResync } from '../core/live.js';
import { session } from '../core/session.js';
import { useStore } from '../core/store.js';
import { navigate, Link } from '../core/router.js';
import { useHome, canWrite, isAdmin } from '../core/home.js';
import { relativeTime } from '../core/format.js';
import { newId } from '../core/ids.js';
import { Card } from './cards.js';

const PAGE_SIZE = 30;
const MAX_LENGTH = 2000;
/** A message sent over the socket is stored before Pixie starts; no echo by then means it was lost. */
const SOCKET_ECHO_TIMEOUT_MS = 15_000;
/** The server closes a socket on a frame over 64 KiB (1009): bigger turns (a long receipt) go over REST. */
const SOCKET_FRAME_LIMIT = 60_000;

const FRIENDLY_ERRORS = {
  RATE_LIMITED: "That's a lot of messages at once. Give Pixie a moment, then try again.",
  RATE_LIMIT: "That's a lot of messages at once. Give Pixie a moment, then try again.",
  BUSY: 'Pixie is still answering someone else in your home. Try again in a moment.',
  FORBIDDEN: 'Viewers can read the chat, but only members can ask Pixie things.',
  VALIDATION_ERROR: `Messages can be up to ${MAX_LENGTH} characters.`,
  NOT_FOUND: "This chat isn't there any more.",
  UNAVAILABLE: "Pixie couldn't answer just now. Please try again.",
  INTERNAL_ERROR: "Pixie couldn't answer just now. Please try again.",
};

const friendlyError = (code, fallback) => FRIENDLY_ERRORS[code] ?? fallback ?? 'Something went wrong. Please try again.';

// ---------------------------------------------------------------------------------------------
// Screen: picks the thread, lays out the thread panel beside (desktop) or over (phone) it.

export function ChatScreen({ params = {} }) {
  const threadId = params.threadId;
  const { threads, setThreads, loading } = useThreads();
  const [panelOpen, setPanelOpen] = useState(false);
  const { role } = useHome();
  const startingThread = useRef(false);
  useMinuteTick();

  // `/chat` opens the most recent conversation (or starts one), so Pixie is one tap away.
  useEffect(() => {
    if (threadId || loading || !threads) return;
    if (threads.length) {
      navigate(`/chat/${threads[0].id}`, { replace: true });
    } else if (canWrite() && !startingThread.current) {
      startingThread.current = true;
      createThread().then((t) => t && navigate(`/chat/${t.id}`, { replace: true }));
    }
  }, [threadId, loading, threads, role]);

  useEffect(() => setPanelOpen(false), [threadId]);
  const closePanel = () => {
    setPanelOpen(false);
    requestAnimationFrame(() => document.querySelector('.chat-threads-toggle')?.focus());
  };

  const createThread = async () => {
    try {
      const thread = await api('POST', homePath('/chat/threads'), { body: {} });
      setThreads((list) => [thread, ...(list ?? []).filter((t) => t.id !== thread.id)]);
      return thread;
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
      return null;
    }
  };

  const startNewChat = async () => {
    const thread = await createThread();
    if (thread) navigate(`/chat/${thread.id}`);
  };

  const thread = threads?.find((t) => t.id === threadId) ?? null;

  if (!threadId) {
    if (threads && !threads.length && role === 'viewer') {
      return html`<${Empty} title="No chats yet">Members of your home haven't asked Pixie anything yet.<//>`;
    }
    return html`<${Spinner} label="Opening your chat" />`;
  }

  return html`<div class=${`chat-screen ${panelOpen ? 'is-panel-open' : ''}`}>
    <${ThreadPanel} threads=${threads} open=${panelOpen} activeId=${threadId} onNew=${startNewChat} onClose=${closePanel} />
    <${Conversation}
      key=${threadId}
      threadId=${threadId}
      thread=${thread}
      threadsLoaded=${!!threads}
      onShowThreads=${() => setPanelOpen(true)}
      onThreadChanged=${(patch) => setThreads((list) => list?.map((t) => (t.id === threadId ? { ...t, ...patch } : t)))}
      onThreadDeleted=${() => {
        const rest = (threads ?? []).filter((t) => t.id !== threadId);
        setThreads(rest);
        navigate(rest.length ? `/chat/${rest[0].id}` : '/chat', { replace: true });
      }}
    />
  </div>`;
}

/** The home's threads, most recently active first, kept in order by live chat frames. */
function useThreads() {
  const [threads, setThreads] = useState(null);
  const [loading, setLoading] = useState(true);
  const reloadTimer = useRef(null);

  const load = useCallback(async () => {
    try {
      setThreads(await api('GET', homePath('/chat/threads'), { query: { limit: 100 } }));
    } catch (error) {
      setThreads((t) => t ?? []);
      if (!(error instanceof NetworkError)) toast(describe(error), { tone: 'danger' });
    } finally {
      setLoading(false);
    }
  }, []);

  const reload = useCallback(() => {
    clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(load, 300);
  }, [load]);

  useEffect(() => {
    load();
    return () => clearTimeout(reloadTimer.current);
  }, [load]);
  useResync(load);

  useLive('thread_update', ({ payload }) => {
    setThreads((list) => list?.map((t) => (t.id === payload.threadId ? { ...t, title: payload.title } : t)));
  });
  // A new message moves its thread to the top; a thread we don't know was started elsewhere.
  useLive('home_update', ({ payload }) => {
    if (payload?.action !== 'chat_message_added' || !threads) return;
    const { threadId, createdAt } = payload.data ?? {};
    const known = threads.find((t) => t.id === threadId);
    if (!known) {
      reload();
      return;
    }
    setThreads((list) => [{ ...known, updatedAt: createdAt ?? known.updatedAt }, ...list.filter((t) => t.id !== threadId)]);
  });

  return { threads, setThreads, loading };
}

function ThreadPanel({ threads, open, activeId, onNew, onClose }) {
  const panel = useRef(null);
  // On phones the panel covers the conversation: take focus into it, and let Escape close it.
  useEffect(() => {
    if (open) panel.current?.querySelector('.chat-thread-link.is-active, .chat-thread-link')?.focus();
  }, [open]);
  const onKeyDown = (event) => {
    if (open && event.key === 'Escape') onClose();
  };
  return html`<aside class="chat-threads" aria-label="Chats" ref=${panel} onKeyDown=${onKeyDown}>
    <div class="chat-threads-head">
      <h2>Chats</h2>
      ${canWrite() ? html`<${Button} kind="ghost" onClick=${onNew}><${Icon} name="plus" /> New chat<//>` : null}
      <button type="button" class="btn btn-ghost icon-btn chat-threads-close" aria-label="Close chats" onClick=${onClose}>
        <${Icon} name="close" />
      </button>
    </div>
    ${!threads
      ? html`<${Spinner} label="Loading chats" />`
      : html`<ul class="chat-thread-list">
          ${threads.map((t) => html`<li key=${t.id}>
            <${Link} href=${`/chat/${t.id}`} class=${`chat-thread-link ${t.id === activeId ? 'is-active' : ''}`} aria-current=${t.id === activeId ? 'page' : undefined}>
              <span class="chat-thread-title">${t.title || 'New Chat'}</span>
              <span class="chat-thread-time">${relativeTime(t.updatedAt)}</span>
            <//>
          </li>`)}
        </ul>`}
  </aside>`;
}

// ---------------------------------------------------------------------------------------------
// Messages of one thread: a reducer, so stream frames, stored messages and pages merge by id.

const byTime = (a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);

function fromStored(m) {
  return { id: m.id, role: m.role, content: m.content ?? '', ui: m.ui ?? null, userId: m.userId ?? null, createdAt: m.createdAt, streaming: false };
}

function upsert(messages, incoming) {
  const index = messages.findIndex((m) => m.id === incoming.id);
  if (index === -1) return [...messages, incoming].sort(byTime);
  const existing = messages[index];
  // A late stream frame must not turn a stored reply back into a draft.
  if (incoming.streaming && !existing.streaming) return messages;
  const merged = { ...existing, ...incoming, ui: incoming.ui ?? existing.ui, createdAt: existing.createdAt };
  return messages.map((m, i) => (i === index ? merged : m));
}

function messagesReducer(state, action) {
  switch (action.type) {
    case 'page': {
      // Pages come newest first; merge so live arrivals and local drafts survive a reload.
      let messages = state.messages;
      for (const m of action.page) messages = upsert(messages, fromStored(m));
      return { ...state, messages, loaded: true, hasMore: action.page.length === PAGE_SIZE, error: null };
    }
    case 'older': {
      let messages = state.messages;
      for (const m of action.page) messages = upsert(messages, fromStored(m));
      return { ...state, messages, hasMore: action.page.length === PAGE_SIZE };
    }
    case 'error':
      return { ...state, loaded: true, error: action.error };
    case 'upsert':
      return { ...state, messages: upsert(state.messages, action.message) };
    case 'draft':
      return { ...state, messages: [...state.messages, action.message] };
    case 'confirm-draft': {
      // Our own message came back stored: it takes the draft's place (matched by id or text).
      const stored = action.message;
      const draft = state.messages.find((m) => m.draft && (m.id === action.localId || (!action.localId && m.content === stored.content)));
      if (!draft) return { ...state, messages: upsert(state.messages, stored) };
      const rest = state.messages.filter((m) => m.id !== draft.id && m.id !== stored.id);
      return { ...state, messages: [...rest, stored].sort(byTime) };
    }
    case 'fail-draft':
      return { ...state, messages: state.messages.map((m) => (m.id === action.localId && m.draft ? { ...m, failed: true } : m)) };
    case 'end-streams':
      if (!state.messages.some((m) => m.streaming)) return state;
      return { ...state, messages: state.messages.map((m) => (m.streaming ? { ...m, streaming: false } : m)) };
    case 'remove':
      return { ...state, messages: state.messages.filter((m) => m.id !== action.id) };
    default:
      return state;
  }
}

function useMessages(threadId) {
  const [state, dispatch] = useReducer(messagesReducer, { messages: [], loaded: false, hasMore: false, error: null });
  const [loadingOlder, setLoadingOlder] = useState(false);

  const loadLatest = useCallback(async () => {
    try {
      const page = await api('GET', homePath(`/chat/threads/${threadId}/messages`), { query: { limit: PAGE_SIZE } });
      dispatch({ type: 'page', page });
    } catch (error) {
      dispatch({ type: 'error', error });
    }
  }, [threadId]);

  const loadOlder = useCallback(async () => {
    const oldest = state.messages.find((m) => !m.draft && !m.streaming);
    if (!oldest || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await api('GET', homePath(`/chat/threads/${threadId}/messages`), { query: { limit: PAGE_SIZE, before: oldest.id } });
      dispatch({ type: 'older', page });
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setLoadingOlder(false);
    }
  }, [threadId, state.messages, loadingOlder]);

  useEffect(() => {
    loadLatest();
  }, [loadLatest]);
  useResync(loadLatest);

  return { ...state, dispatch, loadOlder, loadingOlder };
}

// ---------------------------------------------------------------------------------------------
// One conversation: header, messages, composer; live frames and sending.

function Conversation({ threadId, thread, threadsLoaded, onShowThreads, onThreadChanged, onThreadDeleted }) {
  const { messages, loaded, hasMore, error, dispatch, loadOlder, loadingOlder } = useMessages(threadId);
  const [pixieTyping, setPixieTyping] = useState(false);
  // Streaming text is not announced piece by piece: screen readers hear each finished reply once.
  const [announcement, setAnnouncement] = useState('');
  const socketDrafts = useRef(new Map()); // localId -> timer, messages sent over the socket awaiting their echo
  const me = session.userId();
  const homeId = session.homeId();

  useEffect(() => () => socketDrafts.current.forEach(clearTimeout), []);

  const settleSocketDraft = (localId) => {
    clearTimeout(socketDrafts.current.get(localId));
    socketDrafts.current.delete(localId);
  };

  const failSocketDrafts = () => {
    for (const localId of socketDrafts.current.keys()) {
      settleSocketDraft(localId);
      dispatch({ type: 'fail-draft', localId });
    }
    setPixieTyping(false);
  };

  // --- live frames for this thread ---
  useLive('ui_message', ({ payload, timestamp }) => {
    if (payload?.threadId !== threadId) return;
    dispatch({
      type: 'upsert',
      message: {
        id: payload.messageId, role: 'assistant', content: payload.content ?? '', ui: payload.ui ?? null,
        createdAt: timestamp ?? new Date().toISOString(), streaming: !!payload.isStreaming,
      },
    });
    if (!payload.isStreaming) {
      setPixieTyping(false);
      setAnnouncement(`Pixie: ${payload.content ?? ''}`);
    }
  });
  useLive('message', ({ payload, timestamp }) => {
    if (payload?.threadId !== threadId) return;
    dispatch({ type: 'upsert', message: { id: payload.messageId, role: 'user', content: payload.content, userId: payload.userId, createdAt: timestamp, streaming: false } });
  });
  useLive('home_update', ({ payload }) => {
    if (payload?.action !== 'chat_message_added' || payload.data?.threadId !== threadId) return;
    const stored = fromStored(payload.data);
    if (stored.role === 'user' && stored.userId === me) {
      const localId = [...socketDrafts.current.keys()][0];
      if (localId) settleSocketDraft(localId);
      dispatch({ type: 'confirm-draft', message: stored, localId });
    } else {
      dispatch({ type: 'upsert', message: stored });
    }
  });
  useLive('status', ({ payload }) => {
    if (payload?.threadId !== threadId) return;
    if (payload.status === 'typing') setPixieTyping(true);
    if (payload.status === 'idle') setPixieTyping(false);
  });
  useLive('error', ({ payload }) => {
    // Socket errors name no message: while sends wait for their echo, the refusal is taken to
    // be the latest one's (the server answers in order; earlier ones still get their echo).
    const waiting = [...socketDrafts.current.keys()];
    if (!waiting.length) return;
    const localId = waiting[waiting.length - 1];
    settleSocketDraft(localId);
    dispatch({ type: 'fail-draft', localId });
    if (waiting.length === 1) setPixieTyping(false);
    // A refused receipt says what was wrong with it, not the message-length hint.
    const withReceipt = messages.some((m) => m.id === localId && m.receipt);
    toast(withReceipt && payload?.code === 'VALIDATION_ERROR' && payload.error ? payload.error : friendlyError(payload?.code, payload?.error), { tone: 'danger' });
  });
  // Closing the socket cancels a turn it started: say so rather than wait forever. Streams
  // stop too; whatever was stored meanwhile comes back with the resume.
  const connection = useStore(liveState, (s) => s.state);
  useEffect(() => {
    if (connection === 'online') return;
    if (socketDrafts.current.size) failSocketDrafts();
    setPixieTyping(false);
    dispatch({ type: 'end-streams' });
  }, [connection]);

  // --- sending ---
  // `receipt` is a scanned receipt (`POST …/receipts/scan`): Pixie answers with its review card.
  const send = async (content, receipt = null) => {
    const localId = `local-${newId()}`;
    dispatch({ type: 'draft', message: { id: localId, role: 'user', content, receipt, userId: me, createdAt: new Date().toISOString(), draft: true, streaming: false } });
    setPixieTyping(true);
    const frame = { type: 'message', payload: receipt ? { threadId, content, homeId, receipt } : { threadId, content, homeId } };
    const fits = !receipt || JSON.stringify(frame).length < SOCKET_FRAME_LIMIT;
    const sent = fits && live.state === 'online' && live.send(frame);
    if (sent) {
      socketDrafts.current.set(localId, setTimeout(() => {
        socketDrafts.current.delete(localId);
        dispatch({ type: 'fail-draft', localId });
        setPixieTyping(false);
      }, SOCKET_ECHO_TIMEOUT_MS));
      return;
    }
    await sendOverRest(localId, content, receipt);
  };

  // Without a socket the whole turn runs in one request: no streaming, same result.
  const sendOverRest = async (localId, content, receipt) => {
    try {
      const body = receipt ? { content, receipt } : { content };
      const turn = await api('POST', homePath(`/chat/threads/${threadId}/messages`), { body, idempotencyKey: newId() });
      dispatch({ type: 'confirm-draft', message: fromStored(turn.userMessage), localId });
      if (turn.assistantMessage) {
        dispatch({ type: 'upsert', message: fromStored(turn.assistantMessage) });
        setAnnouncement(`Pixie: ${turn.assistantMessage.content}`);
      }
      if (turn.threadTitle) onThreadChanged({ title: turn.threadTitle });
    } catch (err) {
      dispatch({ type: 'fail-draft', localId });
      toast(receipt && err.code === 'VALIDATION_ERROR' ? describe(err) : friendlyError(err.code, describe(err)), { tone: 'danger' });
    } finally {
      setPixieTyping(false);
    }
  };

  const retry = (message) => {
    dispatch({ type: 'remove', id: message.id });
    send(message.content, message.receipt ?? null);
  };

  const streaming = messages.some((m) => m.streaming);

  if (error && !messages.length) {
    return html`<section class="chat-conversation">
      <${Empty} title=${error.status === 404 ? "This chat isn't here any more" : "Couldn't load this chat"}>
        <p>${describe(error)}</p>
        <${Link} href="/chat" class="btn btn-primary">Back to your chats<//>
      <//>
    </section>`;
  }

  return html`<section class="chat-conversation" aria-label=${thread?.title ?? 'Chat with Pixie'}>
    <${ConversationHeader}
      thread=${thread}
      loaded=${threadsLoaded}
      onShowThreads=${onShowThreads}
      onRenamed=${onThreadChanged}
      onDeleted=${onThreadDeleted}
    />
    <${MessageList}
      messages=${messages}
      loaded=${loaded}
      hasMore=${hasMore}
      loadingOlder=${loadingOlder}
      onLoadOlder=${loadOlder}
      onRetry=${retry}
      thinking=${pixieTyping && !streaming}
    />
    <p class="sr-only" role="status">${announcement}</p>
    <${Composer} onSend=${send} />
  </section>`;
}

function ConversationHeader({ thread, loaded, onShowThreads, onRenamed, onDeleted }) {
  const [renaming, setRenaming] = useState(false);
  const canDelete = thread && (thread.createdBy === session.userId() || isAdmin());

  const remove = async () => {
    if (!(await confirmDialog('Delete this chat? Its messages go with it.'))) return;
    try {
      await api('DELETE', homePath(`/chat/threads/${thread.id}`));
      toast('Chat deleted');
      onDeleted();
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    }
  };

  return html`<header class="chat-head">
    <button type="button" class="btn btn-ghost chat-threads-toggle" onClick=${onShowThreads}>
      <${Icon} name="back" /><span>Chats</span>
    </button>
    <h1 class="chat-title">${thread?.title || (loaded ? 'New Chat' : 'Pixie')}</h1>
    ${thread && canWrite()
      ? html`<button type="button" class="btn btn-ghost icon-btn" aria-label="Rename chat" onClick=${() => setRenaming(true)}><${Icon} name="edit" /></button>`
      : null}
    ${canDelete
      ? html`<button type="button" class="btn btn-ghost icon-btn" aria-label="Delete chat" onClick=${remove}><${Icon} name="trash" /></button>`
      : null}
    <${Sheet} open=${renaming} title="Rename chat" onClose=${() => setRenaming(false)}>
      <${RenameForm} thread=${thread} onDone=${(title) => {
        setRenaming(false);
        if (title) onRenamed({ title });
      }} />
    <//>
  </header>`;
}

function RenameForm({ thread, onDone }) {
  const [title, setTitle] = useState(thread?.title ?? '');
  const [saving, setSaving] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const next = title.trim();
    if (!next) return;
    setSaving(true);
    try {
      const saved = await api('PATCH', homePath(`/chat/threads/${thread.id}`), { body: { title: next } });
      onDone(saved?.title ?? next);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
      setSaving(false);
    }
  };
  return html`<form class="stack" onSubmit=${submit}>
    <${Field} label="Chat name">
      <input value=${title} maxlength="255" required onInput=${(e) => setTitle(e.currentTarget.value)} />
    <//>
    <div class="row end">
      <${Button} kind="ghost" onClick=${() => onDone(null)}>Cancel<//>
      <${Button} type="submit" disabled=${saving || !title.trim()}>Save<//>
    </div>
  </form>`;
}

// ---------------------------------------------------------------------------------------------
// The message log: oldest at the top, stays pinned to the bottom while you are there, and keeps
// your place when older messages load above.

function MessageList({ messages, loaded, hasMore, loadingOlder, onLoadOlder, onRetry, thinking }) {
  const scroller = useRef(null);
  const topSentinel = useRef(null);
  const pinnedToBottom = useRef(true);
  const heightBeforeOlder = useRef(null);
  const { members } = useHome();

  const onScroll = () => {
    const el = scroller.current;
    pinnedToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  const loadOlder = () => {
    heightBeforeOlder.current = scroller.current?.scrollHeight ?? null;
    onLoadOlder();
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (heightBeforeOlder.current !== null && !loadingOlder) {
      el.scrollTop += el.scrollHeight - heightBeforeOlder.current;
      heightBeforeOlder.current = null;
    } else if (pinnedToBottom.current || messages[messages.length - 1]?.draft) {
      // Stay at the newest message, and always jump there when you send one.
      el.scrollTop = el.scrollHeight;
      pinnedToBottom.current = true;
    }
  }, [messages, thinking, loadingOlder]);

  // Scrolling to the top loads the page before it.
  useEffect(() => {
    const target = topSentinel.current;
    if (!target || !hasMore || !('IntersectionObserver' in window)) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !pinnedToBottom.current) loadOlder();
    }, { root: scroller.current });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, messages.length, loadingOlder]);

  const nameOf = useMemo(() => {
    const names = new Map((members ?? []).map((m) => [m.userId ?? m.id, m.name]));
    return (userId) => names.get(userId) ?? 'Someone';
  }, [members]);

  if (!loaded) return html`<div class="chat-log"><${Spinner} label="Loading messages" /></div>`;

  return html`<div class="chat-log" ref=${scroller} onScroll=${onScroll}>
    ${hasMore
      ? html`<div class="chat-older" ref=${topSentinel}>
          <${Button} kind="ghost" onClick=${loadOlder} disabled=${loadingOlder}>${loadingOlder ? 'Loading…' : 'Load earlier messages'}<//>
        </div>`
      : null}
    ${messages.length
      ? html`<ul class="chat-messages" aria-label="Messages">
          ${messages.map((m) => html`<${MessageBubble} key=${m.id} message=${m} author=${authorLabel(m, nameOf)} onRetry=${onRetry} />`)}
        </ul>`
      : html`<${Empty} title="Say hello to Pixie">
          <p>Try “we need milk and eggs”, “what's expiring soon?” or “show my lists”.</p>
        <//>`}
    ${thinking ? html`<p class="chat-thinking" role="status"><span class="chat-dots" aria-hidden="true"></span>Pixie is thinking…</p>` : null}
  </div>`;
}

/** Only other members' messages are labelled: yours sit on the right, Pixie's on the left. */
function authorLabel(message, nameOf) {
  if (message.role === 'assistant') return 'Pixie';
  if (!message.userId || message.userId === session.userId()) return null;
  return nameOf(message.userId);
}

function MessageBubble({ message, author, onRetry }) {
  const { role, content, ui, streaming, draft, failed } = message;
  return html`<li
    class=${`chat-message is-${role} ${role === 'user' && author ? 'is-other' : ''} ${draft ? 'is-draft' : ''} ${failed ? 'is-failed' : ''}`}
    data-testid="chat-message"
    data-role=${role}
    data-streaming=${streaming ? 'true' : 'false'}
    aria-busy=${streaming ? 'true' : 'false'}
  >
    ${author ? html`<span class="chat-author">${author}</span>` : null}
    ${content ? html`<div class="chat-bubble"><${RichText} text=${content} />${streaming ? html`<span class="chat-caret" aria-hidden="true"></span>` : null}</div>` : null}
    ${ui && !streaming ? html`<div class="chat-card"><${Card} ui=${ui} messageId=${message.id} /></div>` : null}
    <span class="chat-meta">
      ${failed
        ? html`<span class="chat-failed">Not sent</span>
            <button type="button" class="btn btn-ghost chat-retry" onClick=${() => onRetry(message)}>Send again</button>`
        : draft
          ? 'Sending…'
          : streaming
            ? 'Writing…'
            : html`<time datetime=${message.createdAt}>${relativeTime(message.createdAt)}</time>`}
    </span>
  </li>`;
}

/**
 * The little Markdown models write: paragraphs, "-"/"1." lists, **bold** and `code`. Built as
 * elements (never HTML strings), so a reply can't inject markup; a half-streamed marker just
 * shows as typed until its closing half arrives.
 */
function RichText({ text }) {
  const blocks = [];
  for (const line of text.split('\n')) {
    const bullet = line.match(/^\s*(?:[-*•]|(\d+)[.)])\s+(.*)$/);
    const last = blocks[blocks.length - 1];
    if (bullet) {
      const ordered = !!bullet[1];
      if (last?.list && last.ordered === ordered) last.items.push(bullet[2]);
      else blocks.push({ list: true, ordered, items: [bullet[2]] });
    } else if (!line.trim()) {
      blocks.push({ gap: true });
    } else if (last && !last.list && !last.gap) {
      last.lines.push(line);
    } else {
      blocks.push({ lines: [line] });
    }
  }
  return blocks.map((block) => {
    if (block.gap) return null;
    if (block.list) {
      const items = block.items.map((item) => html`<li>${inline(item)}</li>`);
      return block.ordered ? html`<ol class="chat-list">${items}</ol>` : html`<ul class="chat-list">${items}</ul>`;
    }
    return html`<p class="chat-para">${inline(block.lines.join('\n'))}</p>`;
  });
}

function inline(text) {
  return text.split(/(\*\*[^*]+\*\*|`[^`]+`)/g).map((part) => {
    if (/^\*\*[^*]+\*\*$/.test(part)) return html`<strong>${part.slice(2, -2)}</strong>`;
    if (/^`[^`]+`$/.test(part)) return html`<code>${part.slice(1, -1)}</code>`;
    return part;
  });
}

// ---------------------------------------------------------------------------------------------
// Composer: Enter sends, Shift+Enter starts a new line; grows with the text. Beside it, "Scan a
// receipt": a photo is shrunk in the browser, read by the server's vision model, and sent to
// Pixie with a short message, so the reply brings the receipt-review card.

function Composer({ onSend }) {
  const [text, setText] = useState('');
  const connection = useStore(liveState, (s) => s.state);
  const textarea = useRef(null);
  const photoInput = useRef(null);
  const writer = canWrite();
  const offline = connection === 'offline';
  const tooLong = text.length > MAX_LENGTH;
  const canSend = writer && !offline && text.trim() && !tooLong;
  // Picking another photo while one is being read replaces it (the button stays enabled, so
  // focus never drops to the page).
  const { scan, start: startScan, clear: clearScan } = useReceiptScan(onSend);

  useLayoutEffect(() => {
    const el = textarea.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  const submit = (event) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text.trim());
    setText('');
    textarea.current?.focus();
  };

  const onKeyDown = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) submit(event);
  };

  const pickPhoto = () => photoInput.current?.click();
  const onPhoto = (event) => {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = ''; // the same photo can be picked again
    if (file) startScan(file);
  };

  const note = !writer
    ? 'Viewers can read the chat, but only members can ask Pixie things.'
    : offline
      ? 'Pixie needs a connection'
      : tooLong
        ? `That's ${text.length - MAX_LENGTH} characters over the ${MAX_LENGTH} limit.`
        : null;

  return html`<form class="chat-composer" onSubmit=${submit}>
    ${note ? html`<p class=${`chat-composer-note ${tooLong ? 'is-error' : offline ? 'is-offline' : ''}`} role="status">${offline && writer ? html`<${Icon} name="wifi-off" /> ` : null}${note}</p>` : null}
    ${writer && scan ? html`<${ScanStatus} scan=${scan} onCancel=${clearScan} onPickAgain=${pickPhoto} offline=${offline} />` : null}
    <div class="chat-composer-row">
      ${writer
        ? html`<button
              type="button"
              class="btn btn-ghost icon-btn chat-scan-btn"
              aria-label="Scan a receipt"
              disabled=${offline}
              onClick=${pickPhoto}
            ><${Icon} name="camera" /></button>
            <label class="sr-only">
              Receipt photo
              <input ref=${photoInput} type="file" accept="image/*" capture="environment" tabindex="-1" disabled=${offline} onChange=${onPhoto} />
            </label>`
        : null}
      <label class="chat-input">
        <span class="sr-only">Message Pixie</span>
        <textarea
          ref=${textarea}
          rows="1"
          placeholder="Ask Pixie…"
          value=${text}
          disabled=${!writer}
          enterkeyhint="send"
          onInput=${(e) => setText(e.currentTarget.value)}
          onKeyDown=${onKeyDown}
        ></textarea>
      </label>
      <button type="submit" class="btn btn-primary chat-send" aria-label="Send" disabled=${!canSend}>
        <${Icon} name="send" /><span class="chat-send-label" aria-hidden="true">Send</span>
      </button>
    </div>
  </form>`;
}

/** A camera, drawn like the shared icons (lib/ui.js has none yet). */
/** The photo being read (or why it could not be), above the composer. */
function ScanStatus({ scan, onCancel, onPickAgain, offline }) {
  const reading = scan.status === 'reading';
  return html`<div class=${`chat-scan ${reading ? 'is-reading' : 'is-failed'}`}>
    ${scan.preview
      ? html`<img class="chat-scan-preview" src=${scan.preview} alt="Your receipt photo" />`
      : html`<span class="chat-scan-preview is-empty" aria-hidden="true"><${Icon} name="camera" /></span>`}
    <p class="chat-scan-text" role="status">
      ${reading ? html`<span class="chat-dots" aria-hidden="true"></span> Reading your receipt…` : scan.error}
    </p>
    <div class="chat-scan-actions">
      ${reading
        ? html`<button type="button" class="btn btn-ghost chat-scan-action" onClick=${onCancel}>Cancel</button>`
        : html`${scan.canRetry ? html`<button type="button" class="btn btn-ghost chat-scan-action" disabled=${offline} onClick=${onPickAgain}>Try another photo</button>` : null}
            <button type="button" class="btn btn-ghost icon-btn chat-scan-action" aria-label="Clear receipt photo" onClick=${onCancel}><${Icon} name="close" /></button>`}
    </div>
  </div>`;
}

const SCAN_ERRORS = {
  VISION_UNAVAILABLE: 'Receipt scanning needs a vision model: ask whoever runs Pantry Pixie to set OPENAI_API_KEY',
  RECEIPT_UNREADABLE: "I couldn't read that receipt; try a sharper photo in good light",
  MODEL_UNAVAILABLE: "Pixie couldn't reach its model just now. Please try again in a moment.",
};
const NO_ITEMS = "I couldn't find any items on that receipt; try a sharper photo in good light";

/** A problem with the photo itself, found before anything is sent. */
class PhotoError extends Error {}

function scanErrorText(error) {
  if (error instanceof PhotoError) return error.message;
  if (error instanceof ApiError) {
    if (SCAN_ERRORS[error.code]) return SCAN_ERRORS[error.code];
    if (error.status === 413 || error.status === 400) return describe(error);
    return friendlyError(error.code, describe(error));
  }
  return describe(error);
}

/** What the member "says" with the receipt; Pixie answers with the review card. */
function receiptMessage(receipt) {
  const merchant = typeof receipt?.merchant === 'string' ? receipt.merchant.trim() : '';
  return merchant ? `Here's my receipt from ${merchant}` : "Here's my receipt";
}

/**
 * One scan at a time: shrink the photo, `POST …/receipts/scan`, then `onSend(content, receipt)`.
 * `scan` is null, `{status: 'reading', preview}` or `{status: 'failed', preview, error, canRetry}`.
 */
function useReceiptScan(onSend) {
  const [scan, setScan] = useState(null);
  const job = useRef(null); // {controller, preview} of the scan on screen

  const drop = () => {
    const current = job.current;
    job.current = null;
    current?.controller.abort();
    if (current?.preview) URL.revokeObjectURL(current.preview);
  };
  useEffect(() => drop, []);

  const clear = () => {
    drop();
    setScan(null);
  };

  const start = async (file) => {
    drop();
    const mine = { controller: new AbortController(), preview: null };
    job.current = mine;
    setScan({ status: 'reading', preview: null });
    try {
      const photo = await preparePhoto(file);
      if (job.current !== mine) return;
      mine.preview = URL.createObjectURL(photo.blob);
      setScan({ status: 'reading', preview: mine.preview });
      const receipt = await api('POST', homePath('/receipts/scan'), { body: { image: photo.dataUrl }, signal: mine.controller.signal });
      if (job.current !== mine) return;
      if (!(receipt?.items ?? []).some((line) => typeof line?.name === 'string' && line.name.trim())) throw new PhotoError(NO_ITEMS);
      clear();
      onSend(receiptMessage(receipt), receipt);
    } catch (error) {
      if (job.current !== mine || error?.name === 'AbortError') return;
      const message = scanErrorText(error);
      // Another photo can't help when the server has no vision model.
      setScan({ status: 'failed', preview: mine.preview, error: message, canRetry: error?.code !== 'VISION_UNAVAILABLE' });
      toast(message, { tone: 'danger' });
    }
  };

  return { scan, start, clear };
}

// Photos are shrunk before upload: a phone's 12 MP JPEG is several MiB, the server takes at most
// 5 MiB, and 1600 px on the long side is plenty to read a till receipt.
const PHOTO_MAX_SIDE = 1600;
const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const PHOTO_QUALITIES = [0.85, 0.7, 0.55];
const UNREADABLE_PHOTO = "I couldn't open that photo. Try a JPEG or PNG picture of the receipt.";

/** The photo as a JPEG of at most 1600 px a side: `{blob, dataUrl}`. */
async function preparePhoto(file) {
  if (file.type && !file.type.startsWith('image/')) throw new PhotoError("That file isn't a photo. Pick a picture of the receipt.");
  const source = await decodePhoto(file);
  const width = source.naturalWidth || source.width;
  const height = source.naturalHeight || source.height;
  if (!width || !height) throw new PhotoError(UNREADABLE_PHOTO);
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff'; // a transparent PNG becomes paper, not black, as a JPEG
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  source.close?.();
  let blob = null;
  for (const quality of PHOTO_QUALITIES) {
    blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (!blob) throw new PhotoError(UNREADABLE_PHOTO);
    if (blob.size <= PHOTO_MAX_BYTES) break;
  }
  if (blob.size > PHOTO_MAX_BYTES) throw new PhotoError('That photo is too large to send. Try a smaller one.');
  return { blob, dataUrl: await dataUrlOf(blob) };
}

/** Decoded pixels, the right way up (EXIF orientation applied). */
async function decodePhoto(file) {
  if (typeof createImageBitmap === 'function') {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      // Fall back to an <img> (older Safari, or formats only the image decoder knows).
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    return image;
  } catch {
    throw new PhotoError(UNREADABLE_PHOTO);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function dataUrlOf(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new PhotoError(UNREADABLE_PHOTO));
    reader.readAsDataURL(blob);
  });
}
