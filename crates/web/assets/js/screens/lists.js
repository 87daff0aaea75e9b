// Grocery lists: every list of the home (one at a time on a phone, a sidebar on desktop), ticked
// off in the shop. Ticks, "Bought" and adds go through the offline queue and show at once;
// partners' changes arrive as `list_update` frames and are applied in place.
import {
  html, useState, useEffect, useCallback, useRef,
  Button, Field, Sheet, Empty, Spinner, Badge, Icon, QuickAdd, toast, confirmDialog,
} from '/js/lib/ui.js';
import { api, homePath } from '/js/core/api.js';
import { useLive, useResync } from '/js/core/live.js';
import { queue, usePending } from '/js/core/queue.js';
import { quantity as formatQuantity, money } from '/js/core/format.js';
import { newId } from '/js/core/ids.js';
import { useActiveHomeId, useHome } from '/js/core/home.js';
import { Link, navigate } from '/js/core/router.js';
import { parseQuickAdd, sameName, typedAmount } from '/js/core/quickadd.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const QUEUED_KINDS = new Set(['list.add', 'list.toggle', 'list.bought']);

// ---------------------------------------------------------------------------------------------
// Data: every list with its entries, kept current from live frames.

function useGroceryLists() {
  const homeId = useActiveHomeId();
  const [lists, setLists] = useState(null);
  const [error, setError] = useState(null);
  const refetchTimers = useRef(new Map());
  const latest = useRef(lists); // for callbacks that must know what is drawn now
  latest.current = lists;

  const load = useCallback(async () => {
    try {
      setLists(await api('GET', homePath('/lists')));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);

  const changeList = useCallback((listId, fn) => {
    setLists((all) => all && all.map((l) => (l.id === listId ? fn(l) : l)));
  }, []);

  /** Reload one list soon (a frame told us less than we draw); bursts make one request. */
  const refetchList = useCallback((listId) => {
    const timers = refetchTimers.current;
    clearTimeout(timers.get(listId));
    timers.set(listId, setTimeout(async () => {
      timers.delete(listId);
      try {
        const fresh = await api('GET', homePath(`/lists/${listId}`));
        setLists((all) => all && (all.some((l) => l.id === listId)
          ? all.map((l) => (l.id === listId ? fresh : l))
          : [...all, fresh]));
      } catch {
        // Gone or offline: the next frame or resync puts it right.
      }
    }, 200));
  }, []);

  const upsertList = useCallback((row) => {
    setLists((all) => {
      if (!all) return all;
      const existing = all.find((l) => l.id === row.id);
      if (!existing) return [...all, { items: [], ...row }];
      return all.map((l) => (l.id === row.id ? { ...l, ...row, items: row.items ?? l.items } : l));
    });
  }, []);

  const removeList = useCallback((listId) => setLists((all) => all && all.filter((l) => l.id !== listId)), []);

  /** An entry row from a response or frame; frames carry the item's name but not the item. */
  const upsertEntry = useCallback((listId, entry, item) => {
    const list = latest.current?.find((l) => l.id === listId);
    const known = list?.items.find((e) => e.id === entry.id);
    if (!list || (!item && !known?.item?.id)) {
      // A partner's new entry: the frame names the item but has no unit; fetch the list.
      refetchList(listId);
      if (!list) return;
    }
    changeList(listId, (current) => {
      const at = current.items.findIndex((e) => e.id === entry.id);
      const before = at === -1 ? null : current.items[at];
      if (before && before.version > entry.version) return current;
      const merged = { ...before, ...entry, item: item ?? before?.item ?? { name: entry.name } };
      const items = at === -1 ? [...current.items, merged] : current.items.map((e, i) => (i === at ? merged : e));
      return { ...current, items };
    });
  }, [changeList, refetchList]);

  const removeEntry = useCallback((listId, entryId) => {
    changeList(listId, (list) => ({ ...list, items: list.items.filter((e) => e.id !== entryId) }));
  }, [changeList]);

  const orderEntries = useCallback((listId, ids) => {
    changeList(listId, (list) => ({ ...list, items: sortByIds(list.items, ids) }));
  }, [changeList]);

  const updatePantryItem = useCallback((item) => {
    setLists((all) => all && all.map((list) => (list.items.some((e) => e.itemId === item.id)
      ? { ...list, items: list.items.map((e) => (e.itemId === item.id ? { ...e, item } : e)) }
      : list)));
  }, []);

  useEffect(() => {
    setLists(null);
    load();
  }, [homeId]);
  useResync(load);

  useLive('list_update', ({ payload }) => {
    if (!payload) return;
    const { action, list, listItem, data } = payload;
    const listId = payload.listId ?? listItem?.listId;
    switch (action) {
      case 'deleted': return removeList(list.id);
      case 'reset': return refetchList(list.id); // every entry was unticked
      case 'reordered':
        return setLists((all) => all && sortByIds(all, data.ids));
      case 'items_reordered': return orderEntries(data.listId, data.ids);
      case 'item_removed': return removeEntry(listId, listItem.id);
      default:
        if (list) upsertList(list);
        else if (listItem) upsertEntry(listId, listItem, payload.item);
    }
  });

  useLive('inventory_update', ({ payload }) => {
    if (payload?.item && payload.action !== 'removed') updatePantryItem(payload.item);
  });

  return { lists, error, load, upsertList, removeList, upsertEntry, removeEntry, orderEntries };
}

/** `rows` in the order of `ids`; rows not named keep their order after them. */
function sortByIds(rows, ids) {
  const rank = new Map(ids.map((id, i) => [id, i]));
  const at = (row) => rank.get(row.id) ?? ids.length + rows.indexOf(row);
  return [...rows].sort((a, b) => at(a) - at(b));
}

/** Entries as they will be once the queue is through: ticks applied, adds as pending rows. */
function withPendingWrites(list, pendingOps) {
  const ops = pendingOps.filter((op) => op.meta.listId === list.id);
  const entries = list.items.map((entry) => {
    const mine = ops.filter((op) => op.meta.entryId === entry.id);
    if (!mine.length) return { ...entry, pending: false };
    // Ops made against this version are not in the row yet; once it moves on, they are.
    const unapplied = mine.filter((op) => op.meta.baseVersion === entry.version);
    let isCompleted = entry.isCompleted;
    for (const op of unapplied) isCompleted = op.kind === 'list.bought' ? true : !isCompleted;
    return { ...entry, isCompleted, pending: true };
  });
  // An add for something already on the list (unticked) lands in that entry on the server,
  // so mark that entry instead of drawing a second row.
  const adds = [];
  for (const op of ops.filter((o) => o.kind === 'list.add')) {
    const same = entries.find((e) => !e.isCompleted && sameName(e.item.name, op.meta.name));
    if (same) same.pending = true;
    else {
      adds.push({
        id: op.id, pending: true, isCompleted: false, quantity: op.body.quantity ?? null,
        item: { name: op.meta.name, unit: op.body.unit ?? null },
      });
    }
  }
  return [...entries, ...adds];
}

function totals(entries) {
  const real = entries.filter((e) => e.itemId);
  const priced = real.filter((e) => e.estimatedPrice != null);
  return {
    done: real.filter((e) => e.isCompleted).length,
    total: real.length,
    cost: priced.length ? priced.reduce((sum, e) => sum + e.estimatedPrice * e.quantity, 0) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Screen

export function ListsScreen({ params = {} }) {
  const { home, role } = useHome() || {};
  // Until the home has loaded (or while offline) assume a member: the server still decides.
  const canEdit = role !== 'viewer';
  const isAdmin = role === 'owner' || role === 'admin';
  const data = useGroceryLists();
  const { lists, error, load } = data;
  const pendingOps = usePending((op) => QUEUED_KINDS.has(op.kind));
  const [creating, setCreating] = useState(false);

  if (error && !lists) {
    return html`<section class="screen lists">
      <${Empty} title="We couldn't load your lists">
        <p>${error.offline ? 'You seem to be offline.' : error.message}</p>
        <${Button} onClick=${load}>Try again<//>
      <//>
    </section>`;
  }
  if (!lists) return html`<section class="screen lists"><${Spinner} /></section>`;

  const selected = params.listId ? lists.find((l) => l.id === params.listId) : lists[0];
  const afterCreate = (list) => {
    data.upsertList({ items: [], ...list });
    setCreating(false);
    navigate(`/lists/${list.id}`);
  };

  return html`<section class="screen lists" aria-labelledby="lists-title">
    <header class="screen-head">
      <h1 id="lists-title">Lists</h1>
      ${canEdit && html`<${Button} kind="ghost" onClick=${() => setCreating(true)}><${Icon} name="plus" /> New list<//>`}
    </header>
    <div class="lists-layout">
      <${ListPicker} lists=${lists} selectedId=${selected?.id} pendingOps=${pendingOps} />
      ${selected
        ? html`<${ListPanel} key=${selected.id} list=${selected} entries=${withPendingWrites(selected, pendingOps)}
            data=${data} home=${home} canEdit=${canEdit} isAdmin=${isAdmin} />`
        : html`<${Empty} title="This list is gone">
            <p>Someone may have deleted it.</p>
            <${Link} href="/lists">Back to your lists<//>
          <//>`}
    </div>
    <${ListSettingsSheet} open=${creating} onClose=${() => setCreating(false)} onSaved=${afterCreate} />
  </section>`;
}

function ListPicker({ lists, selectedId, pendingOps }) {
  return html`<nav class="list-picker" aria-label="Your lists">
    <ul>
      ${lists.map((list) => {
        const { done, total } = totals(withPendingWrites(list, pendingOps));
        const current = list.id === selectedId;
        return html`<li key=${list.id}>
          <${Link} href=${`/lists/${list.id}`} class=${`list-picker-link${list.isActive ? '' : ' is-completed'}`}
              aria-current=${current ? 'page' : undefined}>
            <span class="list-picker-name">${list.name}</span>
            <span class="list-picker-count"><span aria-hidden="true">${done}/${total}</span><span class="sr-only">, ${done} of ${total} done</span></span>
          <//>
        </li>`;
      })}
    </ul>
  </nav>`;
}

// ---------------------------------------------------------------------------------------------
// One list

function ListPanel({ list, entries, data, home, canEdit, isAdmin }) {
  const [reordering, setReordering] = useState(false);
  const [editing, setEditing] = useState(false);
  const [openEntryId, setOpenEntryId] = useState(null);
  const entriesPath = (suffix = '') => homePath(`/lists/${list.id}/items${suffix}`);
  const reload = () => data.load();
  const { done, total, cost } = totals(entries);
  const toBuy = entries.filter((e) => !e.isCompleted);
  const ticked = entries.filter((e) => e.isCompleted);

  const add = (text) => {
    const parsed = parseQuickAdd(text);
    const { done: sent } = queue.submit({
      method: 'POST', path: entriesPath('/by-name'), body: { name: parsed.name, ...typedAmount(parsed) },
      kind: 'list.add', label: `Add ${parsed.name} to ${list.name}`,
      meta: { listId: list.id, name: parsed.name },
    });
    sent.then(({ listItem, item }) => data.upsertEntry(list.id, listItem, item), reload);
  };

  /** A tick or a purchase, queued so it works in a shop without signal. */
  const queueEntryChange = (entry, { kind, method, suffix, label }) => queue.submit({
    method, path: entriesPath(`/${entry.id}${suffix}`), kind, label,
    meta: { listId: list.id, entryId: entry.id, name: entry.item.name, baseVersion: entry.version },
  }).done;

  const toggle = (entry) => {
    const label = `${entry.isCompleted ? 'Untick' : 'Tick off'} ${entry.item.name}`;
    queueEntryChange(entry, { kind: 'list.toggle', method: 'PATCH', suffix: '/toggle', label })
      .then((row) => data.upsertEntry(list.id, row), reload);
  };

  const bought = (entry) => {
    const label = `Buy ${entry.item.name}`;
    queueEntryChange(entry, { kind: 'list.bought', method: 'POST', suffix: '/bought', label }).then(({ listItem, item }) => {
      data.upsertEntry(list.id, listItem, item);
      toast(`${item.name} is in the pantry`);
    }, reload);
  };

  // Moving a row re-inserts its DOM node, which drops focus: put it back on the same button
  // (or its twin once the row reaches an end), so keyboard users can keep pressing.
  const refocus = useRef(null);
  useEffect(() => {
    const target = refocus.current;
    if (!target) return;
    refocus.current = null;
    const row = document.querySelector(`[data-testid="list-entry"][data-id="${target.id}"]`);
    const buttons = row ? [...row.querySelectorAll('.list-entry-move button:not([disabled])')] : [];
    (buttons.find((b) => b.dataset.step === String(target.step)) ?? buttons[0])?.focus();
  }, [list.items]);

  const move = async (entry, step) => {
    const ids = toBuy.filter((e) => e.itemId).map((e) => e.id);
    const from = ids.indexOf(entry.id);
    const to = from + step;
    if (from === -1 || to < 0 || to >= ids.length) return;
    [ids[from], ids[to]] = [ids[to], ids[from]];
    const order = [...ids, ...ticked.filter((e) => e.itemId).map((e) => e.id)];
    refocus.current = { id: entry.id, step };
    data.orderEntries(list.id, order);
    try {
      await api('POST', entriesPath('/reorder'), { body: { ids: order } });
    } catch (err) {
      toast(err.message, { tone: 'danger' });
      reload();
    }
  };

  const setCompleted = async (completed) => {
    try {
      const row = await api('PATCH', homePath(`/lists/${list.id}/${completed ? 'complete' : 'uncomplete'}`));
      data.upsertList(row);
      toast(completed ? `${list.name} is done. Nice shopping!` : `${list.name} is open again`);
    } catch (err) {
      toast(err.message, { tone: 'danger' });
    }
  };

  const openEntry = openEntryId && entries.find((e) => e.id === openEntryId);
  const rowProps = { canEdit, reordering, currency: home?.currency, onToggle: toggle, onBought: bought, onOpen: setOpenEntryId };

  return html`<article class="list-panel" aria-labelledby="list-title">
    <header class="list-panel-header">
      <div class="list-panel-title">
        <h2 id="list-title">${list.name}</h2>
        ${!list.isActive && html`<${Badge} tone="ok">Completed<//>`}
      </div>
      <${ScheduleInfo} list=${list} timezone=${home?.timezone} />
      ${total > 0 && html`<p class="list-totals">
          <span>${done} of ${total} done</span>
          ${cost != null && html` · <span>about ${money(cost, home?.currency)}</span>`}
          ${list.totalBudget != null && html` · <span>budget ${money(list.totalBudget, home?.currency)}</span>`}
        </p>
        <progress class="list-progress" max=${total} value=${done} aria-label="Progress" />`}
      ${canEdit && html`<div class="list-panel-actions">
        ${toBuy.length > 1 && html`<${Button} kind="ghost" aria-pressed=${reordering ? 'true' : 'false'}
          onClick=${() => setReordering(!reordering)}>${reordering ? 'Done reordering' : 'Reorder'}<//>`}
        ${list.isActive
          ? html`<${Button} kind="ghost" onClick=${() => setCompleted(true)}>Complete<//>`
          : html`<${Button} kind="ghost" onClick=${() => setCompleted(false)}>Reopen<//>`}
        <${Button} kind="ghost" onClick=${() => setEditing(true)}>Edit list<//>
      </div>`}
    </header>

    ${canEdit && html`<${QuickAdd} id="list-quick-add" label="Add to list" placeholder='Add to list, e.g. "2 l milk"' onAdd=${add} />`}

    ${entries.length === 0
      ? html`<${Empty} title="Nothing on this list yet">
          <p>${canEdit ? 'Add what you need, like "2 l milk" or "bread".' : 'Nothing has been added yet.'}</p>
        <//>`
      : html`
        <ul class="list-entries" aria-label="To buy">
          ${toBuy.map((entry, i) => html`<${EntryRow} key=${entry.id} entry=${entry} ...${rowProps}
            onUp=${i > 0 ? () => move(entry, -1) : null}
            onDown=${i < toBuy.length - 1 ? () => move(entry, 1) : null} />`)}
        </ul>
        ${toBuy.length === 0 && html`<p class="list-all-done" role="status">All done. Everything is ticked off.</p>`}
        ${ticked.length > 0 && html`
          <h3 class="list-section-title">In the basket <span class="muted">${ticked.length}</span></h3>
          <ul class="list-entries is-ticked" aria-label="In the basket">
            ${ticked.map((entry) => html`<${EntryRow} key=${entry.id} entry=${entry} ...${rowProps} reordering=${false} />`)}
          </ul>`}
      `}

    <${EntrySheet} entry=${openEntry} listId=${list.id} currency=${home?.currency} canEdit=${canEdit}
      onClose=${() => setOpenEntryId(null)}
      onSaved=${(row) => data.upsertEntry(list.id, row)}
      onRemoved=${(id) => { data.removeEntry(list.id, id); setOpenEntryId(null); }} />
    <${ListSettingsSheet} open=${editing} list=${list} isAdmin=${isAdmin} onClose=${() => setEditing(false)}
      onSaved=${(row) => { data.upsertList(row); setEditing(false); }}
      onDeleted=${() => { data.removeList(list.id); setEditing(false); navigate('/lists', { replace: true }); }}
      onReset=${() => { setEditing(false); reload(); }} />
  </article>`;
}

function EntryRow({ entry, canEdit, reordering, currency, onToggle, onBought, onOpen, onUp, onDown }) {
  const name = entry.item.name;
  const saved = !!entry.itemId; // a pending add has no entry on the server yet
  // "1" alone says nothing; "1 bag" or "3" does.
  const plainOne = entry.quantity === 1 && (!entry.item.unit || entry.item.unit === 'piece');
  const amount = entry.quantity != null && !plainOne ? formatQuantity(entry.quantity, entry.item.unit) : null;
  const price = entry.estimatedPrice != null ? money(entry.estimatedPrice * entry.quantity, currency) : null;
  // In the shop: is there some left at home after all?
  const atHome = !entry.isCompleted && entry.item.quantity > 0
    ? `${formatQuantity(entry.item.quantity, entry.item.unit)} at home` : null;
  const details = [amount, price, atHome].filter(Boolean).join(' · ');
  // The row's button is named by its visible text (with hidden separators), not an aria-label,
  // so the name contains what is on screen ("click Strawberries" works by voice).
  return html`<li class=${`list-entry${entry.isCompleted ? ' is-done' : ''}${entry.pending ? ' is-pending' : ''}`}
      data-testid="list-entry" data-id=${entry.id} data-pending=${entry.pending ? 'true' : 'false'}>
    <input type="checkbox" class="list-entry-check" aria-label=${name} checked=${entry.isCompleted}
      disabled=${!canEdit || !saved} onChange=${() => onToggle(entry)} />
    <button type="button" class="list-entry-main" onClick=${() => saved && onOpen(entry.id)}>
      <span class="list-entry-name">${name}</span>
      ${details && html`<span class="sr-only">, </span><span class="list-entry-details">${details}</span>`}
      ${entry.notes && html`<span class="sr-only">, </span><span class="list-entry-notes">${entry.notes}</span>`}
      <span class="sr-only">: details</span>
    </button>
    ${entry.pending && html`<span class="list-entry-pending"><${Icon} name="clock" /><span class="sr-only">Waiting to sync</span></span>`}
    ${canEdit && saved && (reordering
      ? html`<span class="list-entry-move">
          <button type="button" class="btn btn-ghost icon-btn" data-step="-1" aria-label=${`Move ${name} up`}
            disabled=${!onUp} onClick=${onUp}><${Icon} name="up" /></button>
          <button type="button" class="btn btn-ghost icon-btn" data-step="1" aria-label=${`Move ${name} down`}
            disabled=${!onDown} onClick=${onDown}><${Icon} name="down" /></button>
        </span>`
      : !entry.isCompleted && html`<${Button} kind="ghost" aria-label=${`Bought ${name}`}
          onClick=${() => onBought(entry)}>Bought<//>`)}
  </li>`;
}

// ---------------------------------------------------------------------------------------------
// Schedule text: "Resets every Sunday at midnight — next: Sun 7 Dec".

const ordinal = (n) => {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
};

export function scheduleText(list) {
  const weekday = WEEKDAYS[list.scheduleDayOfWeek ?? 0];
  switch (list.recurringSchedule) {
    case 'weekly': return `Resets every ${weekday} at midnight`;
    case 'biweekly': return `Resets every other ${weekday} at midnight`;
    case 'monthly': {
      const day = list.scheduleDayOfMonth ?? 1;
      const shortMonths = day > 28 ? ' (or the last day of shorter months)' : '';
      return `Resets on the ${ordinal(day)} of every month${shortMonths} at midnight`;
    }
    default: return null;
  }
}

function nextResetDate(iso, timezone) {
  const options = { weekday: 'short', day: 'numeric', month: 'short' };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: timezone || undefined }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en-GB', options).format(new Date(iso)); // unknown zone name
  }
}

function ScheduleInfo({ list, timezone }) {
  const text = scheduleText(list);
  if (!text) return null;
  const next = list.nextResetAt ? ` — next: ${nextResetDate(list.nextResetAt, timezone)}` : '';
  return html`<p class="list-schedule"><${Icon} name="clock" /> ${text}${next}</p>`;
}

// ---------------------------------------------------------------------------------------------
// Sheets

function EntrySheet({ entry, listId, currency, canEdit, onClose, onSaved, onRemoved }) {
  const [form, setForm] = useState(null);
  const [base, setBase] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setBase(entry || null);
    setForm(entry ? entryForm(entry) : null);
    setNotice(null);
  }, [entry?.id]);

  if (!entry || !form) return html`<${Sheet} open=${false} title="" onClose=${onClose} />`;
  const path = homePath(`/lists/${listId}/items/${entry.id}`);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });

  const save = async (e) => {
    e.preventDefault();
    const body = {
      quantity: form.quantity.trim(),
      notes: form.notes.trim() || null,
      estimatedPrice: form.estimatedPrice.trim() || null,
    };
    setBusy(true);
    try {
      onSaved(await api('PATCH', path, { body, ifMatch: base.version }));
      onClose();
    } catch (err) {
      if (err.code === 'STALE_VERSION' && err.current) {
        setBase({ ...base, ...err.current });
        setForm(entryForm(err.current));
        onSaved(err.current);
        setNotice('Someone else changed this just now. Here is how it looks now; make your change again if it still applies.');
      } else {
        toast(err.message, { tone: 'danger' });
      }
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api('DELETE', path);
      onRemoved(entry.id);
      toast(`${entry.item.name} is off the list`);
    } catch (err) {
      toast(err.message, { tone: 'danger' });
    } finally {
      setBusy(false);
    }
  };

  const unit = entry.item.unit;
  return html`<${Sheet} open=${true} title=${entry.item.name} onClose=${onClose}>
    <form class="sheet-form" onSubmit=${save}>
      ${notice && html`<p class="form-notice" role="alert">${notice}</p>`}
      <fieldset disabled=${!canEdit || busy}>
        <${Field} label=${unit ? `Quantity (${unit})` : 'Quantity'}>
          <input type="number" inputmode="decimal" min="0" step="any" required value=${form.quantity} onInput=${set('quantity')} />
        <//>
        <${Field} label="Notes" hint="Brand, size, anything that helps in the shop">
          <input type="text" maxlength="500" value=${form.notes} onInput=${set('notes')} />
        <//>
        <${Field} label=${`Estimated price each${currency ? ` (${currency})` : ''}`}>
          <input type="number" inputmode="decimal" min="0" step="0.01" value=${form.estimatedPrice} onInput=${set('estimatedPrice')} />
        <//>
      </fieldset>
      ${canEdit && html`<div class="sheet-actions">
        <${Button} kind="danger" onClick=${remove} disabled=${busy}><${Icon} name="trash" /> Remove<//>
        <span class="spacer"></span>
        <${Button} kind="ghost" onClick=${onClose}>Cancel<//>
        <${Button} kind="primary" type="submit" disabled=${busy || !(Number(form.quantity) > 0)}>Save<//>
      </div>`}
    </form>
  <//>`;
}

const entryForm = (entry) => ({
  quantity: String(entry.quantity ?? 1),
  notes: entry.notes ?? '',
  estimatedPrice: entry.estimatedPrice == null ? '' : String(entry.estimatedPrice),
});

const listForm = (list) => ({
  name: list?.name ?? '',
  schedule: list?.recurringSchedule ?? '',
  dayOfWeek: String(list?.scheduleDayOfWeek ?? 0),
  dayOfMonth: String(list?.scheduleDayOfMonth ?? 1),
  budget: list?.totalBudget == null ? '' : String(list.totalBudget),
});

function listBody(form) {
  const schedule = form.schedule || null;
  return {
    name: form.name.trim(),
    recurringSchedule: schedule,
    scheduleDayOfWeek: schedule === 'weekly' || schedule === 'biweekly' ? Number(form.dayOfWeek) : null,
    scheduleDayOfMonth: schedule === 'monthly' ? Number(form.dayOfMonth) : null,
    totalBudget: form.budget.trim() || null,
  };
}

/** Create a list (no `list`) or edit one: name, reset schedule, budget; admins also delete. */
function ListSettingsSheet({ open, list, isAdmin, onClose, onSaved, onDeleted, onReset }) {
  const [form, setForm] = useState(listForm(list));
  const [base, setBase] = useState(list);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setForm(listForm(list));
    setBase(list);
    setNotice(null);
  }, [open]);

  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  const run = async (work) => {
    setBusy(true);
    try {
      await work();
    } catch (err) {
      if (err.code === 'STALE_VERSION' && err.current) {
        setBase(err.current);
        setForm(listForm(err.current));
        setNotice('Someone else changed this list just now. Here is how it looks now; make your change again if it still applies.');
      } else {
        toast(err.message, { tone: 'danger' });
      }
    } finally {
      setBusy(false);
    }
  };

  const save = (e) => {
    e.preventDefault();
    if (!form.name.trim()) return;
    run(async () => {
      const row = base
        ? await api('PATCH', homePath(`/lists/${base.id}`), { body: listBody(form), ifMatch: base.version })
        : await api('POST', homePath('/lists'), { body: { id: newId(), ...listBody(form) } });
      toast(base ? 'List saved' : `${row.name} is ready`);
      onSaved(row);
    });
  };

  const del = () => run(async () => {
    if (!(await confirmDialog(`Delete ${base.name} and everything on it?`))) return;
    await api('DELETE', homePath(`/lists/${base.id}`));
    toast(`${base.name} deleted`);
    onDeleted();
  });

  const reset = () => run(async () => {
    if (!(await confirmDialog(`Untick everything on ${base.name} and start a new round?`, { confirm: 'Start over' }))) return;
    await api('PATCH', homePath(`/lists/${base.id}/reset`));
    toast('Everything is unticked');
    onReset();
  });

  return html`<${Sheet} open=${open} title=${base ? 'Edit list' : 'New list'} onClose=${onClose}>
    <form class="sheet-form" onSubmit=${save}>
      ${notice && html`<p class="form-notice" role="alert">${notice}</p>`}
      <fieldset disabled=${busy}>
        <${Field} label="List name">
          <input type="text" required maxlength="255" value=${form.name} onInput=${set('name')}
            placeholder="Weekly shop" autofocus=${!base} />
        <//>
        <${Field} label="Reset schedule" hint="Unticks everything so the list is ready for the next shop">
          <select value=${form.schedule} onChange=${set('schedule')}>
            <option value="">Never</option>
            <option value="weekly">Every week</option>
            <option value="biweekly">Every two weeks</option>
            <option value="monthly">Every month</option>
          </select>
        <//>
        ${(form.schedule === 'weekly' || form.schedule === 'biweekly') && html`<${Field} label="Day of the week">
          <select value=${form.dayOfWeek} onChange=${set('dayOfWeek')}>
            ${WEEKDAYS.map((day, i) => html`<option value=${String(i)}>${day}</option>`)}
          </select>
        <//>`}
        ${form.schedule === 'monthly' && html`<${Field} label="Day of the month">
          <select value=${form.dayOfMonth} onChange=${set('dayOfMonth')}>
            ${Array.from({ length: 31 }, (_, i) => html`<option value=${String(i + 1)}>${ordinal(i + 1)}</option>`)}
          </select>
        <//>`}
        <${Field} label="Budget (optional)">
          <input type="number" inputmode="decimal" min="0" step="0.01" value=${form.budget} onInput=${set('budget')} />
        <//>
      </fieldset>
      <div class="sheet-actions">
        ${base && isAdmin && !base.isDefault && html`<${Button} kind="danger" onClick=${del} disabled=${busy}><${Icon} name="trash" /> Delete<//>`}
        ${base && isAdmin && html`<${Button} kind="ghost" onClick=${reset} disabled=${busy}>Untick all<//>`}
        <span class="spacer"></span>
        <${Button} kind="ghost" onClick=${onClose}>Cancel<//>
        <${Button} kind="primary" type="submit" disabled=${busy || !form.name.trim()}>${base ? 'Save' : 'Create list'}<//>
      </div>
    </form>
  <//>`;
}
