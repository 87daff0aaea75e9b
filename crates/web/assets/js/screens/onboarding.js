// The welcome steps after sign-up (/welcome): name the home, invite a partner, done.
// Every step can be skipped; finishing or skipping is remembered per user on this device.
import { html, useEffect, useRef, useState, Button, Field, toast } from '/js/lib/ui.js';
import { api, describe, homePath } from '/js/core/api.js';
import { session } from '/js/core/session.js';
import { navigate } from '/js/core/router.js';
import { currentHome } from '/js/core/home.js';
import { InviteShare, markOnboarded } from '/js/screens/join.js';

const STEPS = [
  { id: 'home', label: 'Name your home' },
  { id: 'invite', label: 'Invite someone' },
  { id: 'done', label: 'All set' },
];

// The browser knows the person's time zone but not their currency: guess it from the region
// of their language setting, falling back to what the server chose.
const CURRENCY_BY_REGION = {
  US: 'USD', GB: 'GBP', CA: 'CAD', AU: 'AUD', NZ: 'NZD', IE: 'EUR', DE: 'EUR', FR: 'EUR', ES: 'EUR',
  IT: 'EUR', NL: 'EUR', BE: 'EUR', AT: 'EUR', PT: 'EUR', FI: 'EUR', GR: 'EUR', LU: 'EUR', SK: 'EUR',
  SI: 'EUR', EE: 'EUR', LV: 'EUR', LT: 'EUR', HR: 'EUR', MT: 'EUR', CY: 'EUR', CH: 'CHF', SE: 'SEK',
  NO: 'NOK', DK: 'DKK', PL: 'PLN', CZ: 'CZK', HU: 'HUF', RO: 'RON', JP: 'JPY', CN: 'CNY', KR: 'KRW',
  IN: 'INR', SG: 'SGD', HK: 'HKD', BR: 'BRL', MX: 'MXN', ZA: 'ZAR', IL: 'ILS', TR: 'TRY', AE: 'AED',
};

function guessCurrency() {
  try {
    const region = new Intl.Locale(navigator.language).maximize().region;
    return CURRENCY_BY_REGION[region] ?? null;
  } catch {
    return null;
  }
}

function guessTimezone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

function StepProgress({ index }) {
  return html`
    <div class="onboarding-progress">
      <ol class="onboarding-steps" aria-label="Setup progress">
        ${STEPS.map((step, i) => html`
          <li class=${i < index ? 'is-done' : i === index ? 'is-current' : ''} aria-current=${i === index ? 'step' : undefined}>
            <span class="sr-only">Step ${i + 1}: ${step.label}</span>
          </li>`)}
      </ol>
      <span class="onboarding-count muted" aria-hidden="true">Step ${index + 1} of ${STEPS.length}</span>
    </div>`;
}

/** Save the home's settings; a guessed zone or currency the server refuses is simply left out. */
async function saveHome(changes) {
  try {
    return await api('PATCH', homePath(), { body: changes });
  } catch (error) {
    const guessesRefused = error.details?.length && error.details.every((d) => d.field === 'timezone' || d.field === 'currency');
    if (!guessesRefused) throw error;
    return api('PATCH', homePath(), { body: { name: changes.name } });
  }
}

/** Step 1: the home's name, with the time zone and a currency guessed from the browser. */
function NameHomeStep({ home, onSaved }) {
  const [name, setName] = useState(home?.name ?? '');
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  const timezone = guessTimezone();
  const currency = guessCurrency() ?? home?.currency ?? null;

  // The home loads while the step shows: prefill its name unless something was typed already.
  useEffect(() => {
    if (home) setName((typed) => typed || home.name);
  }, [home?.id]);

  const submit = async (event) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Give your home a name, like "The Smiths" or "Flat 4B".');
      return;
    }
    setSaving(true);
    setError(null);
    const changes = { name: trimmed };
    if (timezone) changes.timezone = timezone;
    if (currency) changes.currency = currency;
    try {
      const saved = await saveHome(changes);
      // The shell's header shows the home's name: give it the new one now.
      currentHome.set((state) => ({ ...state, home: { ...state.home, ...saved } }));
      onSaved(saved);
    } catch (err) {
      setSaving(false);
      setError(err.details?.find((d) => d.field === 'name')?.message ?? describe(err));
    }
  };

  return html`
    <form class="onboarding-step" onSubmit=${submit} novalidate>
      <h1 tabindex="-1">What should we call your home?</h1>
      <p class="muted">Everyone you invite will see this name.</p>
      <${Field} label="Home name" hint='For example "The Smiths" or "Flat 4B".' error=${error}>
        <input type="text" maxlength="255" autocomplete="off" required value=${name}
          onInput=${(event) => setName(event.currentTarget.value)} />
      <//>
      ${(timezone || currency) && html`
        <p class="onboarding-note muted">
          We'll use ${timezone ? html`<strong>${timezone.replace(/_/g, ' ')}</strong> time` : 'your time zone'}${currency
            ? html` and <strong>${currency}</strong> for prices` : ''}. You can change this in Settings.
        </p>`}
      <div class="onboarding-actions">
        <${Button} kind="primary" type="submit" disabled=${saving}>${saving ? 'Saving…' : 'Continue'}<//>
      </div>
    </form>`;
}

/** Step 2: an invite link for a partner or housemate, created only when asked for. */
function InviteStep({ home, onNext }) {
  const [invite, setInvite] = useState(null);
  const [creating, setCreating] = useState(false);

  const create = async () => {
    setCreating(true);
    try {
      setInvite(await api('POST', homePath('/invites'), { body: {} }));
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
    } finally {
      setCreating(false);
    }
  };

  return html`
    <div class="onboarding-step">
      <h1 tabindex="-1">Shop together</h1>
      <p class="muted">
        Invite your partner or housemate: you'll share the pantry and grocery lists, and see each other's ticks live in the shop.
      </p>
      ${invite
        ? html`
          <${InviteShare} code=${invite.code} homeName=${home?.name} />
          <p class="muted onboarding-note">The link works once and expires in a week. You can make more in Settings.</p>
          <div class="onboarding-actions">
            <${Button} kind="primary" onClick=${onNext}>Continue<//>
          </div>`
        : html`
          <div class="onboarding-actions">
            <${Button} kind="primary" disabled=${creating} onClick=${create}>${creating ? 'Creating…' : 'Create invite link'}<//>
            <${Button} kind="ghost" onClick=${onNext}>Not now<//>
          </div>`}
    </div>`;
}

/** Step 3: where to go from here. */
function DoneStep({ home, onFinish }) {
  return html`
    <div class="onboarding-step">
      <h1 tabindex="-1">You're all set</h1>
      <p class="muted">${home?.name ? html`<strong>${home.name}</strong> is ready.` : 'Your home is ready.'} A few ideas to start:</p>
      <ul class="onboarding-tips">
        <li>Add what's in your cupboards to the pantry.</li>
        <li>Start a grocery list and tick things off in the shop.</li>
        <li>Ask Pixie: "What can I cook tonight?"</li>
      </ul>
      <div class="onboarding-actions">
        <${Button} kind="primary" onClick=${onFinish}>Go to my pantry<//>
      </div>
    </div>`;
}

export function OnboardingScreen() {
  const [stepIndex, setStepIndex] = useState(0);
  const [home, setHome] = useState(null);
  const stepRef = useRef(null);

  useEffect(() => {
    if (!session.homeId()) return;
    api('GET', homePath()).then(setHome).catch(() => {});
  }, []);

  // Move focus to each new step's heading so screen readers announce it.
  useEffect(() => {
    if (stepIndex > 0) stepRef.current?.querySelector('h1')?.focus();
  }, [stepIndex]);

  const next = () => setStepIndex((i) => Math.min(i + 1, STEPS.length - 1));
  const finish = () => {
    markOnboarded();
    navigate('/pantry', { replace: true });
  };

  const step = STEPS[stepIndex].id;
  return html`
    <section class="onboarding card" aria-label="Welcome to Pantry Pixie">
      <div class="onboarding-top">
        <${StepProgress} index=${stepIndex} />
        ${step !== 'done' && html`<button type="button" class="link-button onboarding-skip" onClick=${finish}>Skip setup</button>`}
      </div>
      <div ref=${stepRef}>
        ${step === 'home' && html`<${NameHomeStep} home=${home} onSaved=${(saved) => { setHome(saved); next(); }} />`}
        ${step === 'invite' && html`<${InviteStep} home=${home} onNext=${next} />`}
        ${step === 'done' && html`<${DoneStep} home=${home} onFinish=${finish} />`}
      </div>
    </section>`;
}
