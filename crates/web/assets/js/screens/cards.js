// The UI cards Pixie attaches to a reply (`docs/pixie.md`): `{type, data}` as stored with the
// message. Each card is a snapshot of when Pixie answered; list cards also follow live ticks.
import { html, useState, useEffect, Button, Badge, Icon, toast } from '../lib/ui.js';
import { api, homePath, describe } from '../core/api.js';
import { useLive } from '../core/live.js';
import { queue } from '../core/queue.js';
import { canWrite } from '../core/home.js';
import { Link } from '../core/router.js';
import { quantity, money, dateShort } from '../core/format.js';

const CARDS = {
  'grocery-list': GroceryListCard,
  'grocery-lists-overview': ListsOverviewCard,
  'list-editor': ListEditorCard,
  'budget-summary': BudgetSummaryCard,
  'receipt-review': ReceiptReviewCard,
};

/** A card for `ui`; `messageId` identifies the reply it belongs to (for one-time actions). */
export function Card({ ui, messageId }) {
  if (!ui || typeof ui !== 'object' || !ui.type) return null;
  const Body = CARDS[ui.type] ?? GenericCard;
  return html`<section class=${`pixie-card pixie-card-${ui.type}`} data-testid=${`card-${ui.type}`}>
    <${Body} data=${ui.data ?? {}} type=${ui.type} messageId=${messageId} />
  </section>`;
}

function CardHead({ icon, title, children }) {
  return html`<header class="pixie-card-head">
    <${Icon} name=${icon} />
    <h3 class="pixie-card-title">${title}</h3>
    ${children}
  </header>`;
}

function Progress({ done, total, label }) {
  const percent = total ? Math.round((done / total) * 100) : 0;
  return html`<div class="pixie-progress">
    <progress max="100" value=${percent} aria-label=${label}>${percent}%</progress>
    <span class="pixie-progress-text">${done} of ${total} done</span>
  </div>`;
}

// ---------------------------------------------------------------------------------------------
// List cards: entries tick off in place (queued, so it works in the shop), and ticks made
// elsewhere show up here too.

/** Entries of the card's list, kept in step with live `list_update` frames for that list. */
function useLiveEntries(listId, initial) {
  const [entries, setEntries] = useState(initial ?? []);
  useEffect(() => setEntries(initial ?? []), [initial]);
  useLive('list_update', ({ payload }) => {
    if (payload?.action === 'reset' && payload.list?.id === listId) {
      setEntries((list) => list.map((e) => ({ ...e, isCompleted: false })));
      return;
    }
    const entry = payload?.listItem;
    if (!entry || (payload.listId ?? entry.listId) !== listId) return;
    setEntries((list) => {
      if (!list.some((e) => e.id === entry.id)) return list;
      if (payload.action === 'item_removed') return list.filter((e) => e.id !== entry.id);
      return list.map((e) => (e.id === entry.id ? { ...e, isCompleted: entry.isCompleted, quantity: entry.quantity ?? e.quantity } : e));
    });
  });
  return [entries, setEntries];
}

function EntryList({ listId, entries, setEntries, showUnit }) {
  const writable = canWrite();
  const toggle = (entry) => {
    const next = !entry.isCompleted;
    setEntries((list) => list.map((e) => (e.id === entry.id ? { ...e, isCompleted: next } : e)));
    queue.submit({
      method: 'PATCH',
      path: homePath(`/lists/${listId}/items/${entry.id}/toggle`),
      label: `${next ? 'Tick off' : 'Untick'} ${entry.name}`,
      kind: 'list.toggle',
      meta: { listId, entryId: entry.id, name: entry.name, isCompleted: next },
    });
  };

  if (!entries.length) return html`<p class="pixie-card-empty">Nothing on this list yet.</p>`;
  return html`<ul class="pixie-entries">
    ${entries.map((e) => {
      const amount = Number(e.quantity) === 1 && (!e.unit || e.unit === 'piece') ? '' : showUnit ? quantity(e.quantity, e.unit) : `× ${e.quantity}`;
      return html`<li key=${e.id} class=${`pixie-entry ${e.isCompleted ? 'is-done' : ''}`}>
        ${writable
          ? html`<label class="pixie-entry-label">
              <input type="checkbox" checked=${!!e.isCompleted} onChange=${() => toggle(e)} />
              <span class="pixie-entry-name">${e.name}</span>
            </label>`
          : html`<span class="pixie-entry-label">
              ${e.isCompleted ? html`<${Icon} name="check" /><span class="sr-only">Done:</span>` : null}
              <span class="pixie-entry-name">${e.name}</span>
            </span>`}
        ${amount ? html`<span class="pixie-entry-qty">${amount}</span>` : null}
        ${e.notes ? html`<span class="pixie-entry-notes">${e.notes}</span>` : null}
      </li>`;
    })}
  </ul>`;
}

function GroceryListCard({ data }) {
  const [entries, setEntries] = useLiveEntries(data.id, data.items);
  const done = entries.filter((e) => e.isCompleted).length;
  return html`
    <${CardHead} icon="list" title=${data.name ?? 'Grocery list'} />
    <${EntryList} listId=${data.id} entries=${entries} setEntries=${setEntries} />
    <footer class="pixie-card-foot">
      <${Progress} done=${done} total=${entries.length} label=${`${data.name ?? 'List'} progress`} />
      ${data.id ? html`<${Link} href=${`/lists/${data.id}`} class="pixie-card-link">Open list<//>` : null}
    </footer>`;
}

function ListEditorCard({ data }) {
  const list = data.list ?? {};
  const [entries, setEntries] = useLiveEntries(list.id, list.items);
  const done = entries.filter((e) => e.isCompleted).length;
  return html`
    <${CardHead} icon="edit" title=${list.name ?? 'Grocery list'}>
      ${list.status === 'completed' ? html`<${Badge} tone="ok">Completed<//>` : null}
    <//>
    ${list.description ? html`<p class="pixie-card-sub">${list.description}</p>` : null}
    <${EntryList} listId=${list.id} entries=${entries} setEntries=${setEntries} showUnit />
    <footer class="pixie-card-foot">
      <${Progress} done=${done} total=${entries.length} label=${`${list.name ?? 'List'} progress`} />
      ${list.estimatedCost != null ? html`<span class="pixie-card-sub">About ${money(list.estimatedCost)}</span>` : null}
      ${list.id ? html`<${Link} href=${`/lists/${list.id}`} class="pixie-card-link">Edit in Lists<//>` : null}
    </footer>`;
}

function ListsOverviewCard({ data }) {
  const lists = data.lists ?? [];
  return html`
    <${CardHead} icon="list" title=${lists.length === 1 ? 'Your list' : `Your ${lists.length} lists`} />
    ${lists.length
      ? html`<ul class="pixie-overview">
          ${lists.map((l) => html`<li key=${l.id}>
            <${Link} href=${`/lists/${l.id}`} class="pixie-overview-link">
              <span class="pixie-overview-name">${l.name}</span>
              ${l.status === 'completed' ? html`<${Badge} tone="ok">Done<//>` : null}
              <span class="pixie-card-sub">${l.completedItems ?? 0} of ${l.totalItems ?? 0} done${l.estimatedCost != null ? ` · about ${money(l.estimatedCost)}` : ''}</span>
            <//>
          </li>`)}
        </ul>`
      : html`<p class="pixie-card-empty">No lists yet.</p>`}`;
}

// ---------------------------------------------------------------------------------------------

const BUDGET_TONES = { on_track: 'ok', heads_up: 'warn', over: 'danger' };
const BUDGET_WORDS = { on_track: 'On track', heads_up: 'Heads up', over: 'Over budget' };
const TREND_WORDS = { up: 'more than', down: 'less than', stable: 'about the same as' };

function BudgetSummaryCard({ data }) {
  const currency = data.currency ?? 'USD';
  const period = data.period === 'week' ? 'This week' : 'This month';
  const categories = (data.byCategory ?? data.topCategories ?? []).slice(0, 5);
  const { budget, comparison } = data;
  return html`
    <${CardHead} icon="box" title=${`${period}'s spending`} />
    <p class="pixie-budget-total">${money(data.total ?? 0, currency)}
      <span class="pixie-card-sub"> on ${data.itemCount ?? 0} ${data.itemCount === 1 ? 'item' : 'items'}</span>
    </p>
    ${comparison
      ? html`<p class="pixie-card-sub">${comparison.changePercent != null ? `${Math.abs(Math.round(comparison.changePercent))}% ` : ''}${TREND_WORDS[comparison.trend] ?? ''} last ${data.period === 'week' ? 'week' : 'month'} (${money(comparison.previousTotal, currency)})</p>`
      : null}
    ${budget
      ? html`<div class="pixie-budget">
          <div class="pixie-budget-row">
            <span>${money(budget.spent, currency)} of ${money(budget.monthlyBudget, currency)}</span>
            <${Badge} tone=${BUDGET_TONES[budget.status] ?? 'muted'}>${BUDGET_WORDS[budget.status] ?? budget.status}<//>
          </div>
          <progress class=${`pixie-budget-bar is-${budget.status}`} max="100" value=${Math.min(100, budget.percentUsed ?? 0)} aria-label="Budget used"></progress>
        </div>`
      : null}
    ${categories.length
      ? html`<ul class="pixie-budget-categories">
          ${categories.map((c) => html`<li key=${c.category}><span>${c.category}</span><span>${money(c.total, currency)}</span></li>`)}
        </ul>`
      : null}
    ${(data.insights ?? []).length
      ? html`<ul class="pixie-insights">${data.insights.map((text) => html`<li>${text}</li>`)}</ul>`
      : null}`;
}

// ---------------------------------------------------------------------------------------------
// Receipt review: the member leaves out what they don't want, then adds the rest in one go.

const CONFIRMED_KEY = 'pp_confirmed_receipts';

function confirmedReceipts() {
  try {
    return JSON.parse(localStorage.getItem(CONFIRMED_KEY)) ?? {};
  } catch {
    return {};
  }
}

function rememberConfirmed(messageId, added) {
  if (!messageId) return;
  const all = confirmedReceipts();
  all[messageId] = added;
  localStorage.setItem(CONFIRMED_KEY, JSON.stringify(all));
}

/** A short stable key for "this receipt with these lines", so a double tap adds nothing twice. */
function receiptKey(messageId, included) {
  const text = `${messageId}:${included.join(',')}`;
  let hash = 5381;
  for (let i = 0; i < text.length; i++) hash = ((hash * 33) ^ text.charCodeAt(i)) >>> 0;
  return `receipt-${messageId ?? 'card'}-${hash.toString(36)}`;
}

function ReceiptReviewCard({ data, messageId }) {
  const lines = data.items ?? [];
  const currency = data.currency ?? 'USD';
  const [included, setIncluded] = useState(() => lines.map(() => true));
  const [saving, setSaving] = useState(false);
  const [added, setAdded] = useState(() => confirmedReceipts()[messageId] ?? null);
  const chosen = lines.filter((_, i) => included[i]);

  const confirm = async () => {
    setSaving(true);
    try {
      const indexes = included.flatMap((on, i) => (on ? [i] : []));
      const body = { merchant: data.merchant, purchasedAt: data.purchasedAt, currency: data.currency, total: data.total, items: chosen };
      const result = await api('POST', homePath('/receipts/confirm'), { body, idempotencyKey: receiptKey(messageId, indexes) });
      const count = result?.added ?? chosen.length;
      setAdded(count);
      rememberConfirmed(messageId, count);
      toast(`Added ${count} ${count === 1 ? 'item' : 'items'} to the pantry`);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setSaving(false);
    }
  };

  // A bare date ("2026-12-04") is a local day: read at noon so no time zone moves it.
  const day = /^\d{4}-\d{2}-\d{2}$/.test(data.purchasedAt ?? '') ? `${data.purchasedAt}T12:00:00` : data.purchasedAt;
  const title = [data.merchant ?? 'Receipt', day ? dateShort(day) : null].filter(Boolean).join(' · ');
  const done = added !== null;
  return html`
    <${CardHead} icon="box" title=${title} />
    <ul class="pixie-receipt-lines">
      ${lines.map((line, i) => html`<li key=${i} class=${`pixie-receipt-line ${included[i] ? '' : 'is-left-out'}`}>
        <label class="pixie-entry-label">
          <input
            type="checkbox"
            checked=${included[i]}
            disabled=${done || saving}
            onChange=${() => setIncluded((all) => all.map((on, j) => (j === i ? !on : on)))}
          />
          <span class="pixie-entry-name">${line.name}</span>
        </label>
        <span class="pixie-entry-qty">${quantity(line.quantity ?? 1, line.unit)}</span>
        <span class="pixie-receipt-price">${line.price != null ? money(line.price, currency) : ''}</span>
      </li>`)}
    </ul>
    <footer class="pixie-card-foot">
      ${data.total != null ? html`<span class="pixie-receipt-total">Total ${money(data.total, currency)}</span>` : null}
      ${done
        ? html`<${Badge} tone="ok">Added ${added} to the pantry<//>`
        : canWrite()
          ? html`<${Button} onClick=${confirm} disabled=${saving || !chosen.length}>${saving ? 'Adding…' : 'Add to pantry'}<//>`
          : null}
    </footer>`;
}

// ---------------------------------------------------------------------------------------------

/** A card this app does not know yet: its kind and a few plain fields, never raw JSON. */
function GenericCard({ type, data }) {
  const title = type.replace(/[-_]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
  const facts = Object.entries(data).filter(([, v]) => ['string', 'number'].includes(typeof v)).slice(0, 4);
  return html`
    <${CardHead} icon="sparkle" title=${title} />
    ${facts.length
      ? html`<dl class="pixie-facts">${facts.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`
      : html`<p class="pixie-card-empty">Open the app's screens for the details.</p>`}`;
}
