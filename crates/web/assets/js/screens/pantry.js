// Pantry screen: what the household has, where it is, and what goes off soon.
// Server rows live in `items`; pending offline writes (adds, "used" amounts) are drawn on top
// of them from the queue, so the screen looks right before the server has answered.
import {
  html, useState, useEffect, useMemo, useCallback, useRef,
  Button, Field, Sheet, Empty, Spinner, Badge, Icon, QuickAdd, toast, confirmDialog,
} from '/js/lib/ui.js';
import { api, homePath } from '/js/core/api.js';
import { liveState, useLive, useResync } from '/js/core/live.js';
import { queue, usePending } from '/js/core/queue.js';
import { quantity as formatQuantity, money, daysUntil, dateShort, relativeTime } from '/js/core/format.js';
import { newId } from '/js/core/ids.js';
import { useActiveHomeId, useHome } from '/js/core/home.js';
import { capitalise, guessCategory, parseQuickAdd, sameName, typedAmount } from '/js/core/quickadd.js';
import { session } from '/js/core/session.js';

const UNITS = ['piece', 'gram', 'kg', 'ml', 'liter', 'oz', 'lb', 'cup', 'tbsp', 'tsp',
  'bunch', 'dozen', 'loaf', 'bottle', 'box', 'bag', 'package', 'jar'];
const CATEGORIES = ['dairy', 'meat', 'produce', 'grains', 'pantry', 'frozen', 'beverages',
  'snacks', 'condiments', 'spices', 'baking', 'other'];
const INTERVALS = ['daily', 'weekly', 'biweekly', 'monthly'];
const NO_LOCATION = 'Anywhere else';

// ---------------------------------------------------------------------------------------------
// Data: load, live frames, and the pending-write overlay.

function usePantryItems() {
  const homeId = useActiveHomeId();
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);

  const load = useCallback(async () => {
    try {
      setItems(await api('GET', homePath('/items')));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);

  const upsert = useCallback((item) => {
    setItems((list) => {
      if (!list) return list;
      const at = list.findIndex((i) => i.id === item.id);
      if (at === -1) return [...list, item];
      // A frame may arrive after a newer REST answer: never go back in version.
      if ((list[at].version ?? 0) > (item.version ?? 0)) return list;
      const next = list.slice();
      next[at] = item;
      return next;
    });
  }, []);

  const remove = useCallback((id) => setItems((list) => list && list.filter((i) => i.id !== id)), []);

  useEffect(() => {
    setItems(null);
    load();
  }, [homeId]);
  useResync(load);
  // Opened with no connection and nothing cached: load as soon as the socket is back.
  const lastError = useRef(null);
  lastError.current = error;
  useEffect(() => liveState.subscribe(({ state }) => {
    if (state === 'online' && lastError.current?.offline) load();
  }), [load]);

  useLive('inventory_update', (frame) => {
    const { action, item } = frame.payload || {};
    if (!item) return;
    if (action === 'removed') remove(item.id);
    else upsert(item);
  });

  return { items, error, load, upsert, remove };
}

/** Server rows plus what is still waiting in the queue, each marked `pending`. */
function withPendingWrites(items, pendingOps) {
  const byId = new Map(items.map((i) => [i.id, { ...i, pending: false }]));
  for (const op of pendingOps) {
    if (op.kind === 'item.add' && op.meta.restockOf) {
      const item = byId.get(op.meta.restockOf);
      if (!item) continue;
      // Only an amount in the row's own unit can be added here; the server converts the rest.
      const sameUnit = !op.body.unit || op.body.unit === item.unit;
      const add = sameUnit && item.version === op.meta.baseVersion ? (op.body.quantity ?? 1) : 0;
      byId.set(item.id, { ...item, quantity: round3(item.quantity + add), pending: true });
    } else if (op.kind === 'item.add' && !byId.has(op.body.id)) {
      // `unsent`: not on the server yet, so there is nothing to use up or edit.
      byId.set(op.body.id, {
        quantity: 1, unit: 'piece', location: null, expiresAt: null, ...op.body, pending: true, unsent: true,
      });
    } else if (op.kind === 'item.consume' && byId.has(op.meta.itemId)) {
      const item = byId.get(op.meta.itemId);
      // Once the server's row has moved past the version we saw, it already counts this use.
      const stillToApply = item.version === op.meta.baseVersion;
      const left = stillToApply ? Math.max(0, item.quantity - op.body.quantity) : item.quantity;
      byId.set(item.id, { ...item, quantity: round3(left), pending: true });
    }
  }
  return [...byId.values()];
}

const round3 = (n) => Math.round(n * 1000) / 1000;


/** A new row, with its final id chosen here so it keeps it while waiting offline. */
function newItemRequest(parsed) {
  const body = { id: newId(), name: parsed.name, ...typedAmount(parsed), category: guessCategory(parsed.name) };
  return {
    method: 'POST', path: homePath('/items'), body, kind: 'item.add',
    label: `Add ${body.name}`, meta: { name: body.name },
  };
}

/**
 * More of something already in the pantry: sent without an id and in the same place, so the
 * server adds it to that row (converting units) instead of making a second "Milk".
 */
function restockRequest(existing, parsed) {
  const body = { name: existing.name, ...typedAmount(parsed), category: existing.category };
  if (existing.location) body.location = existing.location;
  return {
    method: 'POST', path: homePath('/items'), body, kind: 'item.add',
    label: `Add ${existing.name}`,
    meta: { name: existing.name, restockOf: existing.id, baseVersion: existing.version },
  };
}

// ---------------------------------------------------------------------------------------------
// Screen

export function PantryScreen() {
  const { home, role } = useHome() || {};
  const canEdit = role !== 'viewer';
  const { items, error, load, upsert, remove } = usePantryItems();
  const pendingOps = usePending((op) => op.kind === 'item.add' || op.kind === 'item.consume');
  const [search, setSearch] = useState('');
  const [groupBy, setGroupBy] = useState('category');
  const [openItemId, setOpenItemId] = useState(null);
  const [usingItem, setUsingItem] = useState(null);

  // Offline with nothing loaded yet: still take additions (they wait in the queue), and say so.
  const offlineUnknown = !items && !!error?.offline;
  const known = items ?? (offlineUnknown ? [] : null);
  const shown = useMemo(() => (known ? withPendingWrites(known, pendingOps) : []), [known, pendingOps]);
  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    if (!needle) return shown;
    return shown.filter((i) => [i.name, i.location, i.category, i.store]
      .some((field) => field && field.toLowerCase().includes(needle)));
  }, [shown, search]);
  // Used-up rows (and items only named on a list) wait in their own fold unless searched for.
  const searching = search.trim() !== '';
  const isOut = (i) => i.quantity <= 0 && !i.pending;
  const outOfStock = searching ? [] : visible.filter(isOut);
  const groups = useMemo(
    () => groupItems(searching ? visible : visible.filter((i) => !isOut(i)), groupBy),
    [visible, groupBy, searching],
  );
  const rowProps = {
    canEdit, currency: home?.currency, onOpen: setOpenItemId,
    onUseSome: setUsingItem, onUseUp: (item) => consume(item, item.quantity),
  };

  // Failed writes are listed by the shell's conflict banner; reload so we show the truth.
  const afterWrite = (done, onSuccess) => done.then(onSuccess, () => load());

  const addItem = (text) => {
    const parsed = parseQuickAdd(text);
    const existing = (known ?? []).find((i) => sameName(i.name, parsed.name));
    const { done } = queue.submit(existing ? restockRequest(existing, parsed) : newItemRequest(parsed));
    afterWrite(done, upsert);
  };

  const consume = (item, amount) => {
    const { done } = queue.submit({
      method: 'POST', path: homePath(`/items/${item.id}/consume`), body: { quantity: amount },
      kind: 'item.consume', label: `Use ${formatQuantity(amount, item.unit)} ${item.name}`,
      meta: { itemId: item.id, name: item.name, baseVersion: item.version },
    });
    afterWrite(done, (updated) => {
      upsert(updated);
      if (updated.quantity === 0) toast(`${item.name} is used up`);
    });
  };

  if (error && !items && !offlineUnknown) {
    return html`<section class="screen pantry">
      <${Empty} title="We couldn't load your pantry">
        <p>${error.offline ? 'You seem to be offline.' : error.message}</p>
        <${Button} onClick=${load}>Try again<//>
      <//>
    </section>`;
  }
  if (!known) return html`<section class="screen pantry"><${Spinner} /></section>`;

  const openItem = openItemId && shown.find((i) => i.id === openItemId);

  return html`<section class="screen pantry" aria-labelledby="pantry-title">
    <header class="screen-head">
      <h1 id="pantry-title">Pantry</h1>
      <${PantrySummary} items=${shown} />
    </header>
    ${offlineUnknown && html`<p class="pantry-offline" role="status">You're offline and this pantry hasn't been loaded on this device yet. What you add now is sent when you're back online.</p>`}
    ${canEdit && html`<${QuickAdd} id="pantry-quick-add" label="Add to pantry" placeholder='Add to pantry, e.g. "2 kg flour"' onAdd=${addItem} />`}
    ${shown.length === 0
      ? html`<${Empty} title="Your pantry is empty">
          <p>${canEdit
            ? 'Add what you have at home: try "2 kg flour", "6 eggs" or just "milk".'
            : 'Nothing has been added yet.'}</p>
        <//>`
      : html`
        <div class="pantry-tools">
          <${Field} label="Search pantry">
            <input type="search" value=${search} placeholder="Milk, fridge, baking…"
              onInput=${(e) => setSearch(e.currentTarget.value)} />
          <//>
          <${GroupToggle} value=${groupBy} onChange=${setGroupBy} />
        </div>
        ${groups.length === 0 && html`<p class="pantry-no-match" role="status">${searching
          ? `Nothing matches "${search.trim()}".`
          : 'Everything is used up. Time for a shop?'}</p>`}
        ${groups.map((g) => html`<${ItemGroup} key=${g.title} group=${g} rowProps=${rowProps} />`)}
        ${outOfStock.length > 0 && html`<details class="pantry-out">
          <summary>Out of stock <span class="pantry-count">${outOfStock.length}</span></summary>
          <p class="muted">Used up, or on a list and not bought yet.</p>
          <${ItemRows} items=${outOfStock.sort(byName)} rowProps=${rowProps} />
        </details>`}
      `}
    <${UseSomeSheet} item=${usingItem} onClose=${() => setUsingItem(null)}
      onUse=${(amount) => { consume(usingItem, amount); setUsingItem(null); }} />
    <${ItemSheet} item=${openItem} canEdit=${canEdit && openItem && !openItem.pending}
      onClose=${() => setOpenItemId(null)} onSaved=${upsert}
      onDeleted=${(id) => { remove(id); setOpenItemId(null); }} />
  </section>`;
}

const byName = (a, b) => a.name.localeCompare(b.name);

function groupItems(items, groupBy) {
  const groups = new Map();
  for (const item of items) {
    const key = groupBy === 'location' ? (item.location?.trim() || NO_LOCATION) : (item.category || 'other');
    const title = groupBy === 'location' ? key : capitalise(key);
    if (!groups.has(title)) groups.set(title, []);
    groups.get(title).push(item);
  }
  const order = (title) => (groupBy === 'category'
    ? CATEGORIES.indexOf(title.toLowerCase())
    : (title === NO_LOCATION ? Infinity : 0));
  return [...groups.entries()]
    .map(([title, list]) => ({ title, items: list.sort(byName) }))
    .sort((a, b) => order(a.title) - order(b.title) || a.title.localeCompare(b.title));
}

// ---------------------------------------------------------------------------------------------
// Pieces

function PantrySummary({ items }) {
  // Only what is actually in the house counts: a used-up row cannot go off.
  const days = items.filter((i) => i.quantity > 0).map((i) => expiryDays(i.expiresAt));
  const expired = days.filter((d) => d !== null && d < 0).length;
  const soon = days.filter((d) => d !== null && d >= 0 && d <= 3).length;
  if (!items.length) return null;
  return html`<p class="pantry-summary">
    ${days.length} in stock
    ${expired > 0 && html` · <span class="pantry-summary-danger">${expired} expired</span>`}
    ${soon > 0 && html` · <span class="pantry-summary-warn">${soon} expiring soon</span>`}
  </p>`;
}

function GroupToggle({ value, onChange }) {
  const option = (key, label) => html`<button type="button" class="segmented-option"
    aria-pressed=${value === key ? 'true' : 'false'} onClick=${() => onChange(key)}>${label}</button>`;
  return html`<div class="segmented" role="group" aria-label="Group by">
    ${option('category', 'By category')}${option('location', 'By location')}
  </div>`;
}

function ItemGroup({ group, rowProps }) {
  const id = `pantry-group-${group.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return html`<section class="pantry-group" aria-labelledby=${id}>
    <h2 id=${id} class="pantry-group-title">${group.title} <span class="pantry-count">${group.items.length}</span></h2>
    <${ItemRows} items=${group.items} rowProps=${rowProps} />
  </section>`;
}

function ItemRows({ items, rowProps }) {
  return html`<ul class="pantry-items">
    ${items.map((item) => html`<${PantryItem} key=${item.id} item=${item} ...${rowProps} />`)}
  </ul>`;
}

function PantryItem({ item, canEdit, currency, onOpen, onUseSome, onUseUp }) {
  const outOfStock = item.quantity <= 0;
  const details = [
    outOfStock ? null : formatQuantity(item.quantity, item.unit),
    item.location,
    item.price != null ? money(item.price, currency) : null,
  ].filter(Boolean).join(' · ');
  return html`<li class=${`pantry-item${item.pending ? ' is-pending' : ''}${outOfStock ? ' is-out' : ''}`}
      data-testid="pantry-item" data-id=${item.id} data-pending=${item.pending ? 'true' : 'false'}>
    <button type="button" class="pantry-item-main" onClick=${() => onOpen(item.id)}
        aria-label=${`${item.name}, ${details || 'details'}`}>
      <span class="pantry-item-name">${item.name}</span>
    </button>
    ${details && html`<span class="pantry-item-details" aria-hidden="true">${details}</span>`}
    <span class="pantry-item-badges">
      ${outOfStock && html`<${Badge} tone="muted">Out of stock<//>`}
      <${ExpiryBadge} expiresAt=${item.expiresAt} />
      ${item.isRecurring && html`<${Badge} tone="muted">Buy ${item.recurringInterval || 'regularly'}<//>`}
      ${item.pending && html`<${Badge} tone="muted"><${Icon} name="clock" /> Waiting to send<//>`}
    </span>
    ${canEdit && !outOfStock && !item.unsent && html`<span class="pantry-item-actions">
      <${Button} kind="ghost" onClick=${() => onUseSome(item)}
        aria-label=${`Used some ${item.name}`}>Used some<//>
      <${Button} kind="ghost" onClick=${() => onUseUp(item)}
        aria-label=${`Used up ${item.name}`}>Used up<//>
    </span>`}
  </li>`;
}

// An expiry is a calendar day (stored as midnight UTC): read it as that day here, wherever
// "here" is, instead of the instant (which is the day before west of Greenwich).
const expiryDay = (iso) => `${iso.slice(0, 10)}T00:00:00`;
const expiryDays = (iso) => (iso ? daysUntil(expiryDay(iso)) : null);

function ExpiryBadge({ expiresAt }) {
  if (!expiresAt) return null;
  const days = expiryDays(expiresAt);
  if (days < 0) return html`<${Badge} tone="danger">Expired<//>`;
  if (days === 0) return html`<${Badge} tone="danger">Expires today<//>`;
  if (days === 1) return html`<${Badge} tone="warn">Expires tomorrow<//>`;
  if (days <= 3) return html`<${Badge} tone="warn">In ${days} days<//>`;
  if (days <= 14) return html`<${Badge} tone="muted">In ${days} days<//>`;
  return html`<${Badge} tone="muted">Until ${dateShort(expiryDay(expiresAt))}<//>`;
}

function UseSomeSheet({ item, onClose, onUse }) {
  const [amount, setAmount] = useState('');
  useEffect(() => setAmount(''), [item?.id]);
  const value = Number(String(amount).replace(',', '.'));
  const valid = item && value > 0;
  const submit = (e) => {
    e.preventDefault();
    if (valid) onUse(Math.min(round3(value), item.quantity));
  };
  return html`<${Sheet} open=${!!item} title=${item ? `How much ${item.name} did you use?` : ''} onClose=${onClose}>
    ${item && html`<form class="sheet-form" onSubmit=${submit}>
      <p class="muted">You have ${formatQuantity(item.quantity, item.unit)}.</p>
      <${Field} label=${`Amount used (${item.unit === 'piece' ? 'pieces' : item.unit})`}>
        <input type="number" inputmode="decimal" min="0" step="any" max=${item.quantity} autofocus
          value=${amount} onInput=${(e) => setAmount(e.currentTarget.value)} />
      <//>
      <div class="sheet-actions">
        <${Button} kind="ghost" type="button" onClick=${onClose}>Cancel<//>
        <${Button} kind="primary" type="submit" disabled=${!valid}>Use it<//>
      </div>
    </form>`}
  <//>`;
}

// ---------------------------------------------------------------------------------------------
// Item detail / edit sheet

/** "Added by Bob · changed 5 minutes ago": who to ask about it, in a shared kitchen. */
function ItemHistory({ item }) {
  const { members = [] } = useHome() || {};
  const adder = members.find((m) => m.userId === item.addedBy)?.name;
  const parts = [
    adder ? `Added by ${adder}` : null,
    item.lastUpdated ? `changed ${relativeTime(item.lastUpdated)}` : null,
  ].filter(Boolean);
  if (!parts.length) return null;
  const text = parts.join(' · ');
  return html`<p class="muted item-history">${text.charAt(0).toUpperCase() + text.slice(1)}</p>`;
}

const EDITABLE = ['name', 'quantity', 'unit', 'category', 'location', 'expiresAt', 'price', 'store',
  'isRecurring', 'recurringInterval'];

function toForm(item) {
  return {
    name: item.name ?? '',
    quantity: String(item.quantity ?? ''),
    unit: item.unit ?? 'piece',
    category: item.category ?? 'other',
    location: item.location ?? '',
    expiresAt: item.expiresAt ? item.expiresAt.slice(0, 10) : '',
    price: item.price == null ? '' : String(item.price),
    store: item.store ?? '',
    isRecurring: !!item.isRecurring,
    recurringInterval: item.recurringInterval ?? 'weekly',
  };
}

/** What the person changed, as a PATCH body: emptied text clears the field (null). */
function changesBetween(item, form) {
  const before = toForm(item);
  const body = {};
  for (const key of EDITABLE) {
    if (form[key] === before[key]) continue;
    const value = typeof form[key] === 'string' ? form[key].trim() : form[key];
    body[key] = value === '' && key !== 'name' ? null : value;
  }
  // The interval only means something for a recurring item.
  if (!form.isRecurring) {
    if ('isRecurring' in body) body.recurringInterval = null;
    else delete body.recurringInterval;
  } else if ('isRecurring' in body) {
    body.recurringInterval = form.recurringInterval;
  }
  return body;
}

function ItemSheet({ item, canEdit, onClose, onSaved, onDeleted }) {
  const [form, setForm] = useState(null);
  const [base, setBase] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setForm(item ? toForm(item) : null);
    setBase(item || null);
    setNotice(null);
  }, [item?.id]);

  if (!item || !form) return html`<${Sheet} open=${false} title="" onClose=${onClose} />`;
  const set = (key) => (e) => {
    const el = e.currentTarget;
    setForm({ ...form, [key]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const changes = changesBetween(base, form);
  const valid = form.name.trim() !== '' && Number(form.quantity) >= 0 && form.quantity.trim() !== '';
  const dirty = Object.keys(changes).length > 0;

  const save = async (e) => {
    e.preventDefault();
    if (!dirty || !valid) return;
    setBusy(true);
    try {
      const saved = await api('PATCH', homePath(`/items/${item.id}`), { body: changes, ifMatch: base.version });
      onSaved(saved);
      toast(`${saved.name} saved`);
      onClose();
    } catch (err) {
      if (err.code === 'STALE_VERSION' && err.current) {
        // Show what is there now; the person decides whether to make the change again.
        setBase(err.current);
        setForm(toForm(err.current));
        onSaved(err.current);
        setNotice('Someone else changed this item just now. Here is how it looks now; make your change again if it still applies.');
      } else {
        toast(err.message, { tone: 'danger' });
      }
    } finally {
      setBusy(false);
    }
  };

  const del = async () => {
    if (!(await confirmDialog(`Delete ${item.name}? It also comes off every list.`))) return;
    try {
      await api('DELETE', homePath(`/items/${item.id}`));
      toast(`${item.name} deleted`);
      onDeleted(item.id);
    } catch (err) {
      toast(err.message, { tone: 'danger' });
    }
  };

  return html`<${Sheet} open=${true} title=${item.name} onClose=${onClose}>
    <form class="sheet-form item-form" onSubmit=${save}>
      ${notice && html`<p class="form-notice" role="alert">${notice}</p>`}
      <${ItemHistory} item=${base} />
      <fieldset disabled=${!canEdit || busy}>
        <${Field} label="Name"><input type="text" required maxlength="255" value=${form.name} onInput=${set('name')} /><//>
        <div class="form-row">
          <${Field} label="Quantity">
            <input type="number" inputmode="decimal" min="0" step="any" value=${form.quantity} onInput=${set('quantity')} />
          <//>
          <${Field} label="Unit">
            <select value=${form.unit} onChange=${set('unit')}>
              ${UNITS.map((u) => html`<option value=${u}>${u}</option>`)}
            </select>
          <//>
        </div>
        <div class="form-row">
          <${Field} label="Category">
            <select value=${form.category} onChange=${set('category')}>
              ${CATEGORIES.map((c) => html`<option value=${c}>${capitalise(c)}</option>`)}
            </select>
          <//>
          <${Field} label="Location" hint="Fridge, freezer, cupboard…">
            <input type="text" maxlength="255" value=${form.location} onInput=${set('location')} />
          <//>
        </div>
        <div class="form-row">
          <${Field} label="Expires">
            <input type="date" value=${form.expiresAt} onInput=${set('expiresAt')} />
          <//>
          <${Field} label="Price">
            <input type="number" inputmode="decimal" min="0" step="0.01" value=${form.price} onInput=${set('price')} />
          <//>
        </div>
        <${Field} label="Store"><input type="text" maxlength="255" value=${form.store} onInput=${set('store')} /><//>
        <label class="check-row">
          <input type="checkbox" checked=${form.isRecurring} onChange=${set('isRecurring')} />
          Buy this regularly
        </label>
        ${form.isRecurring && html`<${Field} label="How often">
          <select value=${form.recurringInterval} onChange=${set('recurringInterval')}>
            ${INTERVALS.map((i) => html`<option value=${i}>${capitalise(i)}</option>`)}
          </select>
        <//>`}
      </fieldset>
      ${canEdit && html`<div class="sheet-actions">
        <${Button} kind="danger" type="button" onClick=${del} disabled=${busy}><${Icon} name="trash" /> Delete<//>
        <span class="spacer"></span>
        <${Button} kind="ghost" type="button" onClick=${onClose}>Cancel<//>
        <${Button} kind="primary" type="submit" disabled=${!dirty || busy || !valid}>Save<//>
      </div>`}
    </form>
  <//>`;
}
