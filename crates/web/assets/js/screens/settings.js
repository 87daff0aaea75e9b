// Settings: the home (admins edit, others read), your preferences, the household and its
// invites, your other homes, your account, the look of the app, and a copy of your data.
// Each section loads and saves on its own, so one failing never blocks the others.
import {
  html, useCallback, useEffect, useMemo, useRef, useState,
  Badge, Button, Field, Sheet, Spinner, toast, confirmDialog,
} from '/js/lib/ui.js';
import { api, describe, homePath } from '/js/core/api.js';
import { session } from '/js/core/session.js';
import { navigate } from '/js/core/router.js';
import { currentHome, loadHome, useHome } from '/js/core/home.js';
import { useLive, useResync } from '/js/core/live.js';
import { dateShort, money } from '/js/core/format.js';
import { InviteShare, inviteLink } from '/js/screens/join.js';

const ROLE_RANK = { viewer: 0, member: 1, admin: 2, owner: 3 };
const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: 'Member', viewer: 'Viewer' };
const ROLE_AS_NOUN = { owner: 'the owner', admin: 'an admin', member: 'a member', viewer: 'a viewer' };
const isAdminRole = (role) => ROLE_RANK[role] >= ROLE_RANK.admin;

const NOTIFICATION_TYPES = [
  { type: 'partner_activity', label: 'Household activity', hint: 'When someone else adds or uses up things' },
  { type: 'expiring_soon', label: 'Expiring soon', hint: 'Food to use before it goes off' },
  { type: 'running_low', label: 'Running low', hint: 'Things that are nearly gone' },
  { type: 'recurring_due', label: 'Regular buys', hint: 'Items you buy on a schedule' },
  { type: 'sunday_sync', label: 'Sunday Sync', hint: 'A weekly round-up of the pantry' },
];

const DIETARY_SUGGESTIONS = ['vegetarian', 'vegan', 'gluten-free', 'dairy-free', 'nut-free', 'pescatarian', 'halal', 'kosher'];

/** Field-level messages from a 400 `VALIDATION_ERROR`, keyed by field. */
function fieldErrors(error) {
  return Object.fromEntries((error?.details ?? []).map((d) => [d.field, d.message]));
}

/** "must have at most two decimals" → "Must have at most two decimals." */
function asSentence(message) {
  if (!message) return message;
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The current session; re-renders on sign-in, sign-out, refresh or a home switch. */
function useSession() {
  const [current, setCurrent] = useState(session.get());
  useEffect(() => session.onChange(setCurrent), []);
  return current;
}

/** A destructive action that sits in a row of others: red text, not a red slab. */
function QuietDangerButton({ children, ...props }) {
  return html`<button type="button" class="btn btn-ghost quiet-danger" ...${props}>${children}</button>`;
}

function Section({ id, title, intro, children }) {
  return html`
    <section id=${id} class="card settings-section" aria-labelledby=${`${id}-title`}>
      <h2 id=${`${id}-title`}>${title}</h2>
      ${intro && html`<p class="muted settings-intro">${intro}</p>`}
      ${children}
    </section>`;
}

// ---------------------------------------------------------------------------------------------
// Chips: a short list of words (dietary needs) with suggestions and free entry.

function ChipEditor({ legend, values, onChange, suggestions = [], inputLabel }) {
  const [draft, setDraft] = useState('');
  const has = (word) => values.some((v) => v.toLowerCase() === word.toLowerCase());
  const add = (word) => {
    const trimmed = word.trim();
    if (trimmed && !has(trimmed) && values.length < 20) onChange([...values, trimmed]);
    setDraft('');
  };
  const remove = (word) => onChange(values.filter((v) => v !== word));
  const unused = suggestions.filter((s) => !has(s));

  return html`
    <fieldset class="chips-field">
      <legend>${legend}</legend>
      ${values.length
        ? html`<ul class="chips">
            ${values.map((value) => html`
              <li class="chip" key=${value}>
                <span>${value}</span>
                <button type="button" class="chip-remove" aria-label=${`Remove ${value}`} onClick=${() => remove(value)}>×</button>
              </li>`)}
          </ul>`
        : html`<p class="muted chips-empty">None yet.</p>`}
      ${unused.length > 0 && html`
        <ul class="chips chips-suggestions" aria-label=${`Suggestions: ${legend.toLowerCase()}`}>
          ${unused.map((word) => html`
            <li key=${word}>
              <button type="button" class="chip chip-suggestion" aria-label=${`Add ${word}`} onClick=${() => add(word)}>+ ${word}</button>
            </li>`)}
        </ul>`}
      <div class="chips-add">
        <label class="grow">
          <span class="sr-only">${inputLabel}</span>
          <input type="text" maxlength="64" placeholder="Something else…" value=${draft}
            onInput=${(event) => setDraft(event.currentTarget.value)}
            onKeyDown=${(event) => {
              // Enter adds a chip rather than submitting the surrounding form.
              if (event.key === 'Enter') {
                event.preventDefault();
                add(draft);
              }
            }} />
        </label>
        <${Button} kind="ghost" disabled=${!draft.trim()} onClick=${() => add(draft)}>Add<//>
      </div>
    </fieldset>`;
}

// ---------------------------------------------------------------------------------------------
// Home

const timeZones = () => {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
};

const currencies = () => {
  const codes = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : ['USD', 'EUR', 'GBP'];
  let names = null;
  try {
    names = new Intl.DisplayNames(undefined, { type: 'currency' });
  } catch {
    // older browsers: the codes alone
  }
  return codes.map((code) => ({ code, label: names ? `${code} · ${names.of(code)}` : code }));
};

/** Options for a select, keeping a saved value the browser's list lacks. */
const withValue = (options, value) => (value && !options.includes(value) ? [value, ...options] : options);

function homeToForm(home) {
  return {
    name: home.name ?? '',
    description: home.description ?? '',
    timezone: home.timezone ?? 'UTC',
    currency: home.currency ?? 'USD',
    // Inputs hold text: keep numbers as text so an unchanged field compares equal.
    monthlyBudget: home.monthlyBudget == null ? '' : String(home.monthlyBudget),
    householdSize: home.householdSize == null ? '' : String(home.householdSize),
    sharedDietaryRestrictions: home.sharedDietaryRestrictions ?? [],
  };
}

/** Only what changed, in the API's types; empty inputs clear nullable fields. */
function formChanges(form, home) {
  const before = homeToForm(home);
  const changes = {};
  for (const key of Object.keys(form)) {
    if (JSON.stringify(form[key]) === JSON.stringify(before[key])) continue;
    const value = form[key];
    if (key === 'description') changes[key] = value.trim() || null;
    else if (key === 'monthlyBudget') changes[key] = value === '' ? null : String(value);
    else if (key === 'householdSize') changes[key] = value === '' ? null : Number(value);
    else if (key === 'name') changes[key] = value.trim();
    else changes[key] = value;
  }
  return changes;
}

function HomeFacts({ home }) {
  const facts = [
    ['Name', home.name],
    ['About', home.description || '—'],
    ['Time zone', home.timezone.replace(/_/g, ' ')],
    ['Currency', home.currency],
    ['Monthly budget', home.monthlyBudget == null ? 'Not set' : money(home.monthlyBudget, home.currency)],
    ['People', home.householdSize ?? 'Not set'],
    ['Shared dietary needs', home.sharedDietaryRestrictions?.length ? home.sharedDietaryRestrictions.join(', ') : 'None'],
  ];
  return html`
    <dl class="settings-facts">
      ${facts.map(([label, value]) => html`<div><dt>${label}</dt><dd>${value}</dd></div>`)}
    </dl>
    <p class="muted settings-note">Only the home's admins can change these.</p>`;
}

function HomeForm({ home }) {
  // `base` is the home as it was when the form was filled: edits are measured against it, and a
  // newer `home` from someone else is only taken over when there are no edits to lose.
  const [base, setBase] = useState(home);
  const [form, setForm] = useState(() => homeToForm(home));
  const [errors, setErrors] = useState({});
  const [saving, setSaving] = useState(false);
  const zones = useMemo(() => withValue(timeZones(), home.timezone), []);
  const currencyOptions = useMemo(currencies, []);
  const changes = formChanges(form, base);
  const dirty = Object.keys(changes).length > 0;
  const changedElsewhere = home.version !== base.version;

  const reset = () => {
    setBase(home);
    setForm(homeToForm(home));
    setErrors({});
  };

  useEffect(() => {
    if (changedElsewhere && !dirty) reset();
  }, [home.version]);

  const set = (key) => (event) => setForm((f) => ({ ...f, [key]: event.currentTarget.value }));

  const save = async (event) => {
    event.preventDefault();
    if (!dirty) return;
    setSaving(true);
    setErrors({});
    try {
      const saved = await api('PATCH', homePath(), { body: { ...changes, version: base.version }, ifMatch: base.version });
      currentHome.set((state) => ({ ...state, home: { ...state.home, ...saved } }));
      setBase(saved);
      setForm(homeToForm(saved));
      toast('Home settings saved');
    } catch (error) {
      const byField = fieldErrors(error);
      setErrors(Object.fromEntries(Object.entries(byField).map(([field, message]) => [field, asSentence(message)])));
      toast(Object.keys(byField).length ? 'Some of these need another look.' : describe(error), { tone: 'danger' });
    } finally {
      setSaving(false);
    }
  };

  return html`
    <form class="settings-form" onSubmit=${save} novalidate>
      ${changedElsewhere && html`
        <div class="settings-notice" role="status">
          <span>Someone else just changed these settings.</span>
          <${Button} kind="ghost" onClick=${reset}>Show their changes<//>
        </div>`}
      <${Field} label="Home name" error=${errors.name}>
        <input type="text" maxlength="255" required value=${form.name} onInput=${set('name')} />
      <//>
      <${Field} label="About this home" hint="Optional: a note for everyone who joins." error=${errors.description}>
        <textarea rows="2" maxlength="1000" value=${form.description} onInput=${set('description')}></textarea>
      <//>
      <div class="settings-grid">
        <${Field} label="Time zone" hint="Used for list resets and reminders." error=${errors.timezone}>
          <select value=${form.timezone} onChange=${set('timezone')}>
            ${zones.map((zone) => html`<option value=${zone}>${zone.replace(/_/g, ' ')}</option>`)}
          </select>
        <//>
        <${Field} label="Currency" error=${errors.currency}>
          <select value=${form.currency} onChange=${set('currency')}>
            ${withValue(currencyOptions.map((c) => c.code), form.currency).map((code) => html`
              <option value=${code}>${currencyOptions.find((c) => c.code === code)?.label ?? code}</option>`)}
          </select>
        <//>
        <${Field} label="Monthly grocery budget" hint=${`In ${form.currency}. Leave empty for none.`} error=${errors.monthlyBudget}>
          <input type="number" inputmode="decimal" min="0" step="0.01" value=${form.monthlyBudget} onInput=${set('monthlyBudget')} />
        <//>
        <${Field} label="People in the household" hint="1 to 20; helps Pixie plan amounts." error=${errors.householdSize}>
          <input type="number" inputmode="numeric" min="1" max="20" step="1" value=${form.householdSize} onInput=${set('householdSize')} />
        <//>
      </div>
      <${ChipEditor} legend="Shared dietary needs" inputLabel="Add a shared dietary need"
        values=${form.sharedDietaryRestrictions} suggestions=${DIETARY_SUGGESTIONS}
        onChange=${(list) => setForm((f) => ({ ...f, sharedDietaryRestrictions: list }))} />
      ${errors.sharedDietaryRestrictions && html`<p class="field-error" role="alert">${errors.sharedDietaryRestrictions}</p>`}
      <div class="settings-actions">
        <${Button} kind="primary" type="submit" disabled=${!dirty || saving}>${saving ? 'Saving…' : 'Save home'}<//>
        ${dirty && html`<${Button} kind="ghost" onClick=${reset}>Undo changes<//>`}
      </div>
    </form>`;
}

function HomeSection({ home, role }) {
  return html`
    <${Section} id="home" title="Home">
      ${isAdminRole(role) ? html`<${HomeForm} key=${home.id} home=${home} />` : html`<${HomeFacts} home=${home} />`}
    <//>`;
}

// ---------------------------------------------------------------------------------------------
// Your preferences

function PreferencesSection({ homeId }) {
  const [prefs, setPrefs] = useState(null);
  const [error, setError] = useState(null);
  // Saves run one after another, so quick taps reach the server in the order they were made.
  const chain = useRef(Promise.resolve());

  const load = useCallback(() => {
    api('GET', '/api/users/me/preferences').then((loaded) => {
      setPrefs(loaded);
      setError(null);
    }, setError);
  }, []);
  useEffect(load, [homeId]);

  const save = (patch) => {
    setPrefs((p) => ({ ...p, ...patch }));
    chain.current = chain.current.then(() => api('PATCH', '/api/users/me/preferences', { body: patch })
      .catch((err) => {
        toast(describe(err), { tone: 'danger' });
        load();
      }));
  };

  if (error) return html`<${Section} id="prefs" title="Your preferences"><p class="field-error">${describe(error)}</p><//>`;
  if (!prefs) return html`<${Section} id="prefs" title="Your preferences"><${Spinner} /><//>`;

  const muted = new Set(prefs.mutedNotificationTypes ?? []);
  const toggleNotice = (type, on) => {
    const next = new Set(muted);
    if (on) next.delete(type);
    else next.add(type);
    save({ mutedNotificationTypes: NOTIFICATION_TYPES.map((n) => n.type).filter((t) => next.has(t)) });
  };
  const setChoice = (key) => (event) => save({ [key]: event.currentTarget.value || null });

  return html`
    <${Section} id="prefs" title="Your preferences" intro="Just for you: Pixie keeps these in mind, and they're saved as you go.">
      <${ChipEditor} legend="Your dietary needs" inputLabel="Add a dietary need"
        values=${prefs.dietaryRestrictions ?? []} suggestions=${DIETARY_SUGGESTIONS}
        onChange=${(list) => save({ dietaryRestrictions: list })} />
      <div class="settings-grid">
        <${Field} label="Cooking skill">
          <select value=${prefs.cookingSkillLevel ?? ''} onChange=${setChoice('cookingSkillLevel')}>
            <option value="">Not set</option>
            <option value="beginner">Beginner</option>
            <option value="intermediate">Confident</option>
            <option value="advanced">Advanced</option>
          </select>
        <//>
        <${Field} label="Budget focus">
          <select value=${prefs.budgetConsciousness ?? ''} onChange=${setChoice('budgetConsciousness')}>
            <option value="">Not set</option>
            <option value="low">Relaxed</option>
            <option value="medium">Balanced</option>
            <option value="high">Every penny counts</option>
          </select>
        <//>
      </div>
      <fieldset class="settings-checks">
        <legend>Notify me about</legend>
        <ul>
          ${NOTIFICATION_TYPES.map(({ type, label, hint }) => html`
            <li key=${type}>
              <label class="check">
                <input type="checkbox" checked=${!muted.has(type)} onChange=${(event) => toggleNotice(type, event.currentTarget.checked)} />
                <span><span class="check-label">${label}</span><small class="muted">${hint}</small></span>
              </label>
            </li>`)}
        </ul>
      </fieldset>
    <//>`;
}

// ---------------------------------------------------------------------------------------------
// Members

/** Make a home active: a token bound to it, which the shell follows (home, socket, screens). */
async function activateHome(home) {
  const { token, expiresIn } = await api('POST', `/api/homes/${home.id}/activate`);
  session.setHome(home.id, token, expiresIn);
}

/** After leaving a home: switch to another one, or start a fresh one if none is left. */
async function moveToAnotherHome(leftHomeId) {
  const homes = (await api('GET', '/api/homes')).filter((h) => h.id !== leftHomeId);
  const next = homes[0] ?? (await api('POST', '/api/homes', { body: { name: `${session.get()?.user?.name ?? 'My'}'s home` } }));
  await activateHome(next);
  return next;
}

function MemberRow({ member, me, myRole, homeName, onChanged }) {
  const [busy, setBusy] = useState(false);
  const isMe = member.userId === me;
  const iAmOwner = myRole === 'owner';
  // The owner manages everyone; admins manage members and viewers, never the owner or admins.
  const canManage = !isMe && member.role !== 'owner' && isAdminRole(myRole) && (iAmOwner || member.role !== 'admin');
  const roleChoices = iAmOwner ? ['admin', 'member', 'viewer'] : ['member', 'viewer'];

  const run = async (request, done) => {
    setBusy(true);
    try {
      await request();
      toast(done);
      onChanged();
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setBusy(false);
    }
  };

  const changeRole = (event) => {
    const role = event.currentTarget.value;
    run(() => api('PATCH', homePath(`/members/${member.userId}`), { body: { role } }), `${member.name} is now ${ROLE_AS_NOUN[role]}`);
  };
  const remove = async () => {
    const ok = await confirmDialog(`Remove ${member.name} from ${homeName}? They'll lose access to its pantry and lists.`, { confirm: 'Remove' });
    if (ok) run(() => api('DELETE', homePath(`/members/${member.userId}`)), `${member.name} was removed`);
  };
  const transfer = async () => {
    const ok = await confirmDialog(`Make ${member.name} the owner of ${homeName}? You'll stay on as an admin.`, { confirm: 'Make owner' });
    if (ok) run(() => api('POST', homePath('/transfer'), { body: { userId: member.userId } }), `${member.name} is now the owner`);
  };

  return html`
    <li class="member-row">
      <span class="avatar" aria-hidden="true">${(member.name || member.email || '?').slice(0, 1).toUpperCase()}</span>
      <div class="member-who">
        <span class="member-name">${member.name}${isMe && html` <span class="muted">(you)</span>`}</span>
        <span class="muted member-email">${member.email}</span>
      </div>
      <div class="member-controls">
        ${canManage
          ? html`
            <label class="sr-only" for=${`role-${member.userId}`}>Role for ${member.name}</label>
            <select id=${`role-${member.userId}`} class="member-role" value=${member.role} disabled=${busy} onChange=${changeRole}>
              ${roleChoices.map((role) => html`<option value=${role}>${ROLE_LABEL[role]}</option>`)}
            </select>`
          : html`<${Badge} tone=${member.role === 'owner' ? 'ok' : 'muted'}>${ROLE_LABEL[member.role]}<//>`}
        ${iAmOwner && !isMe && html`<${Button} kind="ghost" disabled=${busy} onClick=${transfer}>Make owner<//>`}
        ${canManage && html`<${QuietDangerButton} disabled=${busy} onClick=${remove}>Remove<//>`}
      </div>
    </li>`;
}

function MembersSection({ home, role, members }) {
  const me = session.userId();
  const [leaving, setLeaving] = useState(false);

  const leave = async () => {
    const ok = await confirmDialog(`Leave ${home.name}? You'll lose access to its pantry, lists and chats until someone invites you again.`, { confirm: 'Leave home' });
    if (!ok) return;
    setLeaving(true);
    try {
      await api('POST', homePath('/leave'));
      const next = await moveToAnotherHome(home.id);
      toast(`You left ${home.name}. You're now in ${next.name}.`);
      navigate('/pantry');
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
      setLeaving(false);
    }
  };

  return html`
    <${Section} id="members" title="Household" intro=${`${members.length} ${members.length === 1 ? 'person shares' : 'people share'} ${home.name}.`}>
      <ul class="member-list">
        ${members.map((member) => html`
          <${MemberRow} key=${member.userId} member=${member} me=${me} myRole=${role} homeName=${home.name} onChanged=${loadHome} />`)}
      </ul>
      ${role === 'owner'
        ? html`<p class="muted settings-note">You're the owner. To leave, make someone else the owner first.</p>`
        : html`<div class="settings-actions"><${QuietDangerButton} disabled=${leaving} onClick=${leave}>Leave home<//></div>`}
    <//>`;
}

// ---------------------------------------------------------------------------------------------
// Invites (admins)

// The server shows an invite's code only once, when it is made. Codes made on this device are
// kept so their links can be copied again; they are forgotten once the invite stops working.
const codesKey = (homeId) => `pp_invite_codes:${homeId}`;
function savedCodes(homeId) {
  try {
    return JSON.parse(localStorage.getItem(codesKey(homeId))) ?? {};
  } catch {
    return {};
  }
}
function rememberCode(homeId, inviteId, code) {
  localStorage.setItem(codesKey(homeId), JSON.stringify({ ...savedCodes(homeId), [inviteId]: code }));
}
function forgetUnusableCodes(homeId, invites) {
  const active = new Set(invites.filter((i) => i.status === 'active').map((i) => i.id));
  const kept = Object.fromEntries(Object.entries(savedCodes(homeId)).filter(([id]) => active.has(id)));
  localStorage.setItem(codesKey(homeId), JSON.stringify(kept));
}

const STATUS = {
  active: { label: 'Open', tone: 'ok' },
  used: { label: 'Used', tone: 'muted' },
  expired: { label: 'Expired', tone: 'muted' },
  revoked: { label: 'Revoked', tone: 'danger' },
};

function describeInvite(invite) {
  const uses = invite.maxUses == null ? `${invite.uses} joined · no limit` : `${invite.uses} of ${invite.maxUses} used`;
  const when = invite.status === 'active' ? `expires ${dateShort(invite.expiresAt)}` : `made ${dateShort(invite.createdAt)}`;
  return `${uses} · ${when}`;
}

function InviteRow({ invite, code, onRevoke }) {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(inviteLink(code));
      toast('Link copied');
    } catch {
      toast(inviteLink(code), { timeout: 10000 });
    }
  };
  return html`
    <li class="invite-row">
      <div class="invite-what">
        <span>${ROLE_LABEL[invite.role]} invite <${Badge} tone=${STATUS[invite.status]?.tone ?? 'muted'}>${STATUS[invite.status]?.label ?? invite.status}<//></span>
        <small class="muted">${describeInvite(invite)}</small>
      </div>
      ${invite.status === 'active' && html`
        <div class="invite-controls">
          ${code && html`<${Button} kind="ghost" onClick=${copy}>Copy link<//>`}
          <${QuietDangerButton} onClick=${() => onRevoke(invite)}>Revoke<//>
        </div>`}
    </li>`;
}

function NewInviteForm({ role, onCreated }) {
  const [inviteRole, setInviteRole] = useState('member');
  const [uses, setUses] = useState('1');
  const [days, setDays] = useState('7');
  const [creating, setCreating] = useState(false);

  const create = async (event) => {
    event.preventDefault();
    setCreating(true);
    try {
      const body = { role: inviteRole, maxUses: uses === 'unlimited' ? null : Number(uses), expiresInDays: Number(days) };
      onCreated(await api('POST', homePath('/invites'), { body }));
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setCreating(false);
    }
  };

  return html`
    <form class="settings-form invite-form" onSubmit=${create}>
      <div class="settings-grid settings-grid-3">
        <${Field} label="Joins as">
          <select value=${inviteRole} onChange=${(e) => setInviteRole(e.currentTarget.value)}>
            <option value="member">Member (can edit)</option>
            <option value="viewer">Viewer (read only)</option>
            ${role === 'owner' && html`<option value="admin">Admin</option>`}
          </select>
        <//>
        <${Field} label="Can be used">
          <select value=${uses} onChange=${(e) => setUses(e.currentTarget.value)}>
            <option value="1">Once</option>
            <option value="5">5 times</option>
            <option value="unlimited">Any number of times</option>
          </select>
        <//>
        <${Field} label="Works for">
          <select value=${days} onChange=${(e) => setDays(e.currentTarget.value)}>
            <option value="1">1 day</option>
            <option value="7">7 days</option>
            <option value="30">30 days</option>
          </select>
        <//>
      </div>
      <div class="settings-actions">
        <${Button} kind="primary" type="submit" disabled=${creating}>${creating ? 'Creating…' : 'Create invite'}<//>
      </div>
    </form>`;
}

function InvitesSection({ home, role }) {
  const [invites, setInvites] = useState(null);
  const [created, setCreated] = useState(null);
  const [codes, setCodes] = useState(() => savedCodes(home.id));

  const load = useCallback(() => {
    api('GET', homePath('/invites'))
      .then((list) => {
        forgetUnusableCodes(home.id, list);
        setCodes(savedCodes(home.id));
        setInvites(list);
      })
      .catch((error) => toast(describe(error), { tone: 'danger' }));
  }, [home.id]);
  useEffect(load, [load]);
  useLive('home_update', (frame) => {
    if (frame.homeId === home.id && /^(invite|member)\./.test(frame.payload?.kind ?? '')) load();
  });
  useResync(load);

  const onCreated = (result) => {
    rememberCode(home.id, result.invite.id, result.code);
    setCodes(savedCodes(home.id));
    setCreated(result);
    load();
  };

  const revoke = async (invite) => {
    const ok = await confirmDialog('Revoke this invite? Its link stops working straight away.', { confirm: 'Revoke' });
    if (!ok) return;
    try {
      await api('DELETE', homePath(`/invites/${invite.id}`));
      toast('Invite revoked');
      load();
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    }
  };

  const active = (invites ?? []).filter((i) => i.status === 'active');
  const past = (invites ?? []).filter((i) => i.status !== 'active');
  return html`
    <${Section} id="invites" title="Invites" intro="Send a link to bring someone into this home.">
      <${NewInviteForm} role=${role} onCreated=${onCreated} />
      ${invites === null
        ? html`<${Spinner} />`
        : html`
          ${active.length
            ? html`<ul class="invite-list" aria-label="Open invites">
                ${active.map((invite) => html`<${InviteRow} key=${invite.id} invite=${invite} code=${codes[invite.id]} onRevoke=${revoke} />`)}
              </ul>`
            : html`<p class="muted settings-note">No open invites.</p>`}
          ${past.length > 0 && html`
            <details class="invite-past">
              <summary>Past invites (${past.length})</summary>
              <ul class="invite-list">
                ${past.map((invite) => html`<${InviteRow} key=${invite.id} invite=${invite} onRevoke=${revoke} />`)}
              </ul>
            </details>`}`}
      <${Sheet} open=${!!created} title="Invite ready" onClose=${() => setCreated(null)}>
        ${created && html`
          <p class="muted">Send this link to the person you're inviting. It opens straight into ${home.name}.</p>
          <${InviteShare} code=${created.code} homeName=${home.name} />`}
      <//>
    <//>`;
}

// ---------------------------------------------------------------------------------------------
// Your homes

function NewHomeForm({ onCreated }) {
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const create = async (event) => {
    event.preventDefault();
    if (!name.trim()) return;
    setCreating(true);
    try {
      const home = await api('POST', '/api/homes', { body: { name: name.trim() } });
      await activateHome(home);
      setName('');
      onCreated(home);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setCreating(false);
    }
  };
  return html`
    <form class="new-home" onSubmit=${create}>
      <${Field} label="Start another home" hint="A holiday flat, or a parent's pantry you help with.">
        <input type="text" maxlength="255" placeholder="Home name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <//>
      <${Button} kind="ghost" type="submit" disabled=${creating || !name.trim()}>${creating ? 'Creating…' : 'Create home'}<//>
    </form>`;
}

function HomesSection({ activeHomeId }) {
  const [homes, setHomes] = useState(null);
  const [switching, setSwitching] = useState(null);

  const load = useCallback(() => {
    api('GET', '/api/homes').then(setHomes).catch((error) => toast(describe(error), { tone: 'danger' }));
  }, []);
  useEffect(load, [activeHomeId]);
  useLive('home_update', (frame) => {
    if (/^(home|member)\./.test(frame.payload?.kind ?? '')) load();
  });

  const switchTo = async (home) => {
    setSwitching(home.id);
    try {
      await activateHome(home);
      toast(`Switched to ${home.name}`);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setSwitching(null);
    }
  };

  return html`
    <${Section} id="homes" title="Your homes">
      ${homes === null
        ? html`<${Spinner} />`
        : html`<ul class="home-list">
            ${homes.map((home) => html`
              <li class="home-row" key=${home.id}>
                <div>
                  <span class="home-name">${home.name}</span>
                  <small class="muted">${ROLE_LABEL[home.role]} · ${home.memberCount} ${home.memberCount === 1 ? 'person' : 'people'}</small>
                </div>
                ${home.id === activeHomeId
                  ? html`<${Badge} tone="ok">Current<//>`
                  : html`<${Button} kind="ghost" disabled=${switching !== null} onClick=${() => switchTo(home)}
                      aria-label=${`Switch to ${home.name}`}>${switching === home.id ? 'Switching…' : 'Switch'}<//>`}
              </li>`)}
          </ul>`}
      <${NewHomeForm} onCreated=${(home) => toast(`${home.name} is ready, and you're in it now`)} />
    <//>`;
}

// ---------------------------------------------------------------------------------------------
// Appearance

const THEME_KEY = 'pp_theme';
const THEMES = [
  { value: 'system', label: 'Match my device' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function AppearanceSection() {
  const [theme, setTheme] = useState(() => localStorage.getItem(THEME_KEY) ?? 'system');
  const choose = (value) => {
    setTheme(value);
    if (value === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, value);
    applyTheme(value);
  };
  return html`
    <${Section} id="appearance" title="Appearance">
      <fieldset class="settings-checks theme-choice">
        <legend>Theme</legend>
        <ul>
          ${THEMES.map(({ value, label }) => html`
            <li key=${value}>
              <label class="check">
                <input type="radio" name="theme" value=${value} checked=${theme === value} onChange=${() => choose(value)} />
                <span class="check-label">${label}</span>
              </label>
            </li>`)}
        </ul>
      </fieldset>
    <//>`;
}

// ---------------------------------------------------------------------------------------------
// Data

function fileSlug(name) {
  return (name || 'home').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'home';
}

function DataSection({ home }) {
  const [exporting, setExporting] = useState(false);
  const download = async () => {
    setExporting(true);
    try {
      const doc = await api('GET', homePath('/export'));
      const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `pantry-pixie-${fileSlug(home.name)}-${new Date().toISOString().slice(0, 10)}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      // The download has started by now; give the browser a moment before freeing the blob.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setExporting(false);
    }
  };
  return html`
    <${Section} id="data" title="Your data" intro=${`Download everything in ${home.name} (pantry, lists and chats) as a JSON file.`}>
      <div class="settings-actions">
        <${Button} kind="ghost" disabled=${exporting} onClick=${download}>${exporting ? 'Preparing…' : 'Download a copy'}<//>
      </div>
    <//>`;
}

// ---------------------------------------------------------------------------------------------
// Account

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState({});
  const [saving, setSaving] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    if (next.length < 8) {
      setErrors({ newPassword: 'Use at least 8 characters.' });
      return;
    }
    setSaving(true);
    setErrors({});
    try {
      const fresh = await api('POST', '/api/auth/password', { body: { currentPassword: current, newPassword: next } });
      session.set(fresh);
      setCurrent('');
      setNext('');
      toast('Password changed. Other devices have been signed out.');
    } catch (error) {
      // The server words field errors as completions ("is not your current password").
      const byField = fieldErrors(error);
      setErrors({
        currentPassword: byField.currentPassword ? "That isn't your current password." : undefined,
        newPassword: byField.newPassword ? `This password ${byField.newPassword}.` : undefined,
        ...(Object.keys(byField).length ? {} : { currentPassword: describe(error) }),
      });
    } finally {
      setSaving(false);
    }
  };

  return html`
    <form class="settings-form" onSubmit=${submit} novalidate>
      <h3>Change password</h3>
      <p class="muted settings-note">Your other devices will be signed out.</p>
      <div class="settings-grid">
        <${Field} label="Current password" error=${errors.currentPassword}>
          <input type="password" autocomplete="current-password" required value=${current} onInput=${(e) => setCurrent(e.currentTarget.value)} />
        <//>
        <${Field} label="New password" hint="At least 8 characters; avoid common ones." error=${errors.newPassword}>
          <input type="password" autocomplete="new-password" minlength="8" required value=${next} onInput=${(e) => setNext(e.currentTarget.value)} />
        <//>
      </div>
      <div class="settings-actions">
        <${Button} kind="primary" type="submit" disabled=${saving || !current || !next}>${saving ? 'Changing…' : 'Change password'}<//>
      </div>
    </form>`;
}

function AccountSection({ user }) {
  const [busy, setBusy] = useState(false);

  const signOut = async () => {
    setBusy(true);
    // Ending the session on the server is best effort: offline, we still forget it here.
    await api('POST', '/api/auth/logout', { body: { refreshToken: session.get()?.refreshToken } }).catch(() => {});
    session.clear();
    navigate('/signin', { replace: true });
  };

  // No "are you sure?": nothing is lost, and it is what someone does in a hurry after losing a phone.
  const signOutEverywhere = async () => {
    setBusy(true);
    try {
      await api('POST', '/api/auth/logout-all');
      session.clear();
      navigate('/signin', { replace: true });
    } catch (error) {
      // Offline: the other devices would stay signed in, so say so rather than pretend.
      toast(describe(error), { tone: 'danger' });
      setBusy(false);
    }
  };

  return html`
    <${Section} id="account" title="Account">
      <p class="account-who"><strong>${user?.name}</strong> <span class="muted">${user?.email}</span></p>
      <${PasswordForm} />
      <div class="settings-actions account-signout">
        <${Button} kind="ghost" disabled=${busy} onClick=${signOut}>Sign out<//>
        <${QuietDangerButton} disabled=${busy} onClick=${signOutEverywhere}>Sign out everywhere<//>
      </div>
    <//>`;
}

// ---------------------------------------------------------------------------------------------

/** Jump links to each section: a scrolling row on phones, a sticky column on wide screens. */
function SectionNav({ sections }) {
  return html`
    <nav class="settings-nav" aria-label="Settings sections">
      <ul>
        ${sections.map(([id, label]) => html`<li key=${id}><a href=${`#${id}`}>${label}</a></li>`)}
      </ul>
    </nav>`;
}

export function SettingsScreen() {
  const { home, role, members, loading, error } = useHome();
  const current = useSession();
  const activeHomeId = current?.user?.homeId;
  const admin = isAdminRole(role);

  const sections = [
    home && ['home', 'Home'],
    home && ['members', 'Household'],
    home && admin && ['invites', 'Invites'],
    ['prefs', 'Preferences'],
    ['homes', 'Your homes'],
    ['appearance', 'Appearance'],
    home && ['data', 'Your data'],
    ['account', 'Account'],
  ].filter(Boolean);

  return html`
    <div class="settings">
      <h1>Settings</h1>
      <${SectionNav} sections=${sections} />
      <div class="settings-sections">
        ${home
          ? html`
            <${HomeSection} home=${home} role=${role} />
            <${MembersSection} home=${home} role=${role} members=${members} />
            ${admin && html`<${InvitesSection} key=${home.id} home=${home} role=${role} />`}`
          : html`<div class="card settings-section">
              ${error
                ? html`<p class="field-error">${describe(error)}</p><${Button} kind="ghost" onClick=${loadHome}>Try again<//>`
                : loading || activeHomeId ? html`<${Spinner} />` : html`<p class="muted">You're not in a home yet.</p>`}
            </div>`}
        <${PreferencesSection} homeId=${activeHomeId} />
        <${HomesSection} activeHomeId=${activeHomeId} />
        <${AppearanceSection} />
        ${home && html`<${DataSection} home=${home} />`}
        <${AccountSection} user=${current?.user} />
      </div>
    </div>`;
}
