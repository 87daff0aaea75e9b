// Shared building blocks of every screen: Preact + htm, and a few accessible components.
import { html, render, useEffect, useRef, useState } from './preact.js';
import { createStore, useStore } from '../core/store.js';

export * from './preact.js';

export function Button({ kind = 'primary', type = 'button', children, class: extra = '', ...rest }) {
  return html`<button ...${rest} type=${type} class=${`btn btn-${kind} ${extra}`}>${children}</button>`;
}

/** A labelled control: the label wraps it, so the name is always right. */
export function Field({ label, hint, error, children, class: extra = '' }) {
  return html`<label class=${`field ${extra}`}>
    <span class="field-label">${label}</span>
    ${children}
    ${hint && !error ? html`<small class="field-hint">${hint}</small>` : null}
    ${error ? html`<small class="field-error" role="alert">${error}</small>` : null}
  </label>`;
}

/** A modal sheet on `<dialog>`: focus is trapped and Escape closes it, natively. */
export function Sheet({ open, title, onClose, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return html`<dialog ref=${ref} class="sheet" aria-label=${title} onClose=${() => onClose?.()} onCancel=${() => onClose?.()}>
    <header class="sheet-head">
      <h2>${title}</h2>
      <button type="button" class="btn btn-ghost icon-btn" aria-label="Close" onClick=${() => onClose?.()}><${Icon} name="close" /></button>
    </header>
    <div class="sheet-body">${open ? children : null}</div>
  </dialog>`;
}

export function Empty({ title, children }) {
  return html`<div class="empty"><p class="empty-title">${title}</p>${children}</div>`;
}

export function Spinner({ label = 'Loading' }) {
  return html`<div class="spinner" role="status"><span class="sr-only">${label}…</span></div>`;
}

export function Badge({ tone = 'muted', children }) {
  return html`<span class=${`badge badge-${tone}`}>${children}</span>`;
}

const ICONS = {
  plus: 'M12 5v14M5 12h14',
  check: 'M5 13l4 4L19 7',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  chat: 'M4 5h16v11H9l-5 4z',
  list: 'M9 6h11M9 12h11M9 18h11M4 6h.01M4 12h.01M4 18h.01',
  box: 'M3 7l9-4 9 4-9 4-9-4zM3 7v10l9 4 9-4V7M12 11v10',
  bell: 'M6 16V11a6 6 0 1112 0v5l2 2H4zM10 20a2 2 0 004 0',
  gear: 'M12 15a3 3 0 100-6 3 3 0 000 6zM19 12l2-1-2-4-2 1-2-1V5h-4v2l-2 1-2-1-2 4 2 1v2l-2 1 2 4 2-1 2 1v2h4v-2l2-1 2 1 2-4-2-1z',
  send: 'M4 12l16-8-6 16-3-7z',
  back: 'M15 5l-7 7 7 7',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  'wifi-off': 'M3 3l18 18M8.5 16.5a5 5 0 017 0M5 13a10 10 0 015-2.5M19 13a10 10 0 00-2.2-1.6M12 20h.01',
  clock: 'M12 7v5l3 3M12 21a9 9 0 110-18 9 9 0 010 18z',
  close: 'M6 6l12 12M18 6L6 18',
  up: 'M6 15l6-6 6 6',
  down: 'M6 9l6 6 6-6',
  edit: 'M4 20h4L19 9l-4-4L4 16zM14 6l4 4',
  sparkle: 'M12 3l2 6 6 2-6 2-2 6-2-6-6-2 6-2z',
  camera: 'M3 8h4l2-3h6l2 3h4v11H3zM12 16.5a3.5 3.5 0 100-7 3.5 3.5 0 000 7z',
};

export function Icon({ name }) {
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${ICONS[name] ?? ICONS.more} /></svg>`;
}

// Toasts: one polite live region for the whole app.
const toasts = createStore({ items: [] });
let toastSeq = 0;

export function toast(message, { tone = 'ok', timeout = 4000 } = {}) {
  const id = ++toastSeq;
  toasts.set((s) => ({ items: [...s.items, { id, message, tone }] }));
  setTimeout(() => toasts.set((s) => ({ items: s.items.filter((t) => t.id !== id) })), timeout);
}

export function Toasts() {
  const { items } = useStore(toasts);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${items.map((t) => html`<div key=${t.id} class=${`toast toast-${t.tone}`}>${t.message}</div>`)}
  </div>`;
}

/** Ask before something that cannot be undone. */
export function confirmDialog(message, { confirm = 'Delete', cancel = 'Cancel' } = {}) {
  return new Promise((resolve) => {
    const host = document.createElement('div');
    document.body.append(host);
    const done = (answer) => {
      render(null, host);
      host.remove();
      resolve(answer);
    };
    function Confirm() {
      const [open, setOpen] = useState(true);
      const close = (answer) => {
        setOpen(false);
        done(answer);
      };
      return html`<${Sheet} open=${open} title="Are you sure?" onClose=${() => close(false)}>
        <p>${message}</p>
        <div class="row end">
          <${Button} kind="ghost" onClick=${() => close(false)}>${cancel}<//>
          <${Button} kind="danger" onClick=${() => close(true)}>${confirm}<//>
        </div>
      <//>`;
    }
    render(html`<${Confirm} />`, host);
  });
}

/** A one-line "add" form: the text goes to `onAdd` and the field empties for the next one. */
export function QuickAdd({ id, label, placeholder, onAdd }) {
  const [text, setText] = useState('');
  const submit = (e) => {
    e.preventDefault();
    if (!text.trim()) return;
    onAdd(text);
    setText('');
  };
  return html`<form class="quick-add" onSubmit=${submit}>
    <label class="sr-only" for=${id}>${label}</label>
    <input id=${id} type="text" autocomplete="off" enterkeyhint="done"
      placeholder=${placeholder} value=${text}
      onInput=${(e) => setText(e.currentTarget.value)} />
    <${Button} kind="primary" type="submit" disabled=${!text.trim()}>Add<//>
  </form>`;
}

/** Re-render once a minute, so "5 min ago" stays true while the screen is open. */
export function useMinuteTick() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(timer);
  }, []);
}
