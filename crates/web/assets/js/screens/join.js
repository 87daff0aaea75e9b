// Invites: joining a home from a shared link (/join/:code), and the card that shares a new
// invite (used by onboarding and settings).
import { html, useEffect, useRef, useState, Button, Spinner, toast } from '/js/lib/ui.js';
import { api, ApiError, describe } from '/js/core/api.js';
import { session } from '/js/core/session.js';
import { navigate } from '/js/core/router.js';

/** The link a partner opens to join. */
export function inviteLink(code) {
  return `${location.origin}/join/${encodeURIComponent(code)}`;
}

/** "The Smiths' pantry", but "Alice's Kitchen" as it is: the name already says what it is. */
export function homeTitle(name) {
  const trimmed = (name ?? '').trim();
  if (!trimmed) return 'their pantry';
  if (/'s\b|\b(pantry|kitchen|home|house|flat|apartment|cottage)\b/i.test(trimmed)) return trimmed;
  return `${trimmed}${/s$/i.test(trimmed) ? "'" : "'s"} pantry`;
}

/** Remember that this person has been through (or past) the welcome steps. */
export function markOnboarded(userId = session.userId()) {
  if (userId) localStorage.setItem(`pp_onboarded:${userId}`, '1');
}

/** The current session, re-rendering when someone signs in or out (in this tab or another). */
function useSession() {
  const [current, setCurrent] = useState(session.get());
  useEffect(() => session.onChange(setCurrent), []);
  return current;
}

/** Copy text to the clipboard; where that is not allowed, select it in `input` instead. */
async function copyOrSelect(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    toast('Link copied');
  } catch {
    input?.focus();
    input?.select();
    toast('Link selected: copy it from the box', { tone: 'warn' });
  }
}

/** A freshly created invite: the code, the link, and ways to pass it on. */
export function InviteShare({ code, homeName }) {
  const linkInput = useRef(null);
  const link = inviteLink(code);
  const canShare = typeof navigator.share === 'function';

  const share = async () => {
    try {
      await navigator.share({ title: 'Join me on Pantry Pixie', text: `Join ${homeTitle(homeName)} on Pantry Pixie`, url: link });
    } catch (error) {
      // Closing the share sheet is not a failure.
      if (error?.name !== 'AbortError') copyOrSelect(link, linkInput.current);
    }
  };

  return html`
    <div class="invite-share">
      <p class="invite-share-label">Invite code</p>
      <p class="invite-code">${(code.match(/.{1,4}/g) ?? []).map((chunk) => html`<span>${chunk}</span>`)}</p>
      <label class="field">
        <span class="field-label">Invite link</span>
        <input ref=${linkInput} class="invite-link" type="text" readonly value=${link}
          onFocus=${(event) => event.currentTarget.select()} />
      </label>
      <div class="invite-share-actions">
        <${Button} kind="primary" onClick=${() => copyOrSelect(link, linkInput.current)}>Copy link<//>
        ${canShare && html`<${Button} kind="ghost" onClick=${share}>Share<//>`}
      </div>
    </div>`;
}

/** What went wrong with an invite, in words for the person holding the link. */
function inviteProblem(error, invite) {
  const who = invite?.inviterName ?? 'whoever sent it';
  if (!(error instanceof ApiError)) {
    return { title: "We couldn't reach Pantry Pixie", body: describe(error), canRetry: true };
  }
  if (error.status === 409) {
    return { title: `You're already in ${homeTitle(invite?.homeName)}`, body: 'No need to join twice.', alreadyMember: true };
  }
  if (error.code === 'INVITE_EXPIRED') {
    return { title: 'This invite has expired', body: `Ask ${who} to send you a fresh link.` };
  }
  if (error.code === 'INVITE_USED') {
    return { title: 'This invite has already been used', body: `Each link works a set number of times. Ask ${who} for a new one.` };
  }
  if (error.code === 'INVITE_REVOKED') {
    return { title: 'This invite was cancelled', body: `Ask ${who} for a new link.` };
  }
  if (error.status === 404 || error.status === 410) {
    return {
      title: "This invite link doesn't work",
      body: "It may have expired, been used up or cancelled, or the link got cut off. Ask whoever sent it for a fresh one.",
    };
  }
  return { title: "That didn't work", body: describe(error), canRetry: true };
}

/** Switch to a home the person already belongs to, found by name (a 409 names no id). */
async function openExistingHome(homeName) {
  const homes = await api('GET', '/api/homes');
  const home = homes.find((h) => h.name === homeName);
  if (home && home.id !== session.homeId()) {
    const { token, expiresIn } = await api('POST', `/api/homes/${home.id}/activate`);
    session.setHome(home.id, token, expiresIn);
  }
  navigate('/pantry', { replace: true });
}

/** The brand above one card: the first thing someone opening an invite link sees. */
function JoinFrame({ busy = false, children }) {
  return html`
    <div class="join-page">
      <p class="join-brand"><img src="/icons/icon.svg" alt="" width="32" height="32" /> Pantry Pixie</p>
      <section class="join card" aria-labelledby="join-title" aria-busy=${busy ? 'true' : undefined}>${children}</section>
    </div>`;
}

function JoinProblem({ problem, invite, onRetry }) {
  const [opening, setOpening] = useState(false);
  const open = async () => {
    setOpening(true);
    try {
      await openExistingHome(invite?.homeName);
    } catch (error) {
      toast(describe(error), { tone: 'danger' });
      setOpening(false);
    }
  };
  const home = () => navigate(session.get() ? '/pantry' : '/signin');
  return html`
    <${JoinFrame}>
      <h1 id="join-title">${problem.title}</h1>
      <p class="muted">${problem.body}</p>
      <div class="join-actions">
        ${problem.alreadyMember && html`<${Button} kind="primary" disabled=${opening} onClick=${open}>Open ${homeTitle(invite?.homeName)}<//>`}
        ${problem.canRetry && html`<${Button} kind="primary" onClick=${onRetry}>Try again<//>`}
        ${!problem.alreadyMember && html`
          <${Button} kind=${problem.canRetry ? 'ghost' : 'primary'} onClick=${home}>${session.get() ? 'Go to my pantry' : 'Sign in'}<//>`}
      </div>
    <//>`;
}

function SignedOutChoices({ code }) {
  const next = encodeURIComponent(`/join/${code}`);
  return html`
    <div class="join-actions">
      <${Button} kind="primary" onClick=${() => navigate(`/signup?next=${next}`)}>Create an account to join<//>
      <${Button} kind="ghost" onClick=${() => navigate(`/signin?next=${next}`)}>I already have an account<//>
    </div>`;
}

function SignedInJoin({ code, user, onProblem }) {
  const [joining, setJoining] = useState(false);

  const join = async () => {
    setJoining(true);
    try {
      const joined = await api('POST', `/api/invites/${encodeURIComponent(code)}/accept`);
      session.setHome(joined.homeId, joined.token, joined.expiresIn);
      // Their new home is already set up: no need for the welcome steps.
      markOnboarded(user.id);
      toast(`Welcome to ${homeTitle(joined.homeName)}!`, { tone: 'ok' });
      navigate('/pantry', { replace: true });
    } catch (error) {
      setJoining(false);
      onProblem(error);
    }
  };

  const signOut = async () => {
    const refreshToken = session.get()?.refreshToken;
    await api('POST', '/api/auth/logout', { body: { refreshToken } }).catch(() => {});
    session.clear();
  };

  return html`
    <div class="join-actions">
      <${Button} kind="primary" disabled=${joining} onClick=${join}>${joining ? 'Joining…' : 'Join'}<//>
    </div>
    <p class="join-who muted">
      <span>Joining as <strong>${user.name || user.email}</strong>.</span>
      <button type="button" class="link-button" onClick=${signOut}>Not you? Sign out</button>
    </p>`;
}

export function JoinScreen({ params }) {
  const code = params?.code ?? '';
  const current = useSession();
  const [invite, setInvite] = useState(null);
  const [problem, setProblem] = useState(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setProblem(null);
    setInvite(null);
    api('GET', `/api/invites/${encodeURIComponent(code)}`, { signal: controller.signal })
      .then(setInvite)
      .catch((error) => {
        if (error?.name !== 'AbortError') setProblem(inviteProblem(error, null));
      });
    return () => controller.abort();
  }, [code, attempt]);

  if (problem) {
    return html`<${JoinProblem} problem=${problem} invite=${invite} onRetry=${() => setAttempt((n) => n + 1)} />`;
  }
  if (!invite) {
    return html`<${JoinFrame} busy><h1 id="join-title" class="sr-only">Opening your invite</h1><${Spinner} /><//>`;
  }

  const expires = new Date(invite.expiresAt).toLocaleDateString(undefined, { day: 'numeric', month: 'long' });
  return html`
    <${JoinFrame}>
      <p class="join-eyebrow">You're invited</p>
      <h1 id="join-title">${invite.inviterName} invited you to ${homeTitle(invite.homeName)}</h1>
      <p class="muted">
        Share the pantry, grocery lists and Pixie with your household, and see each other's changes as they happen.
      </p>
      <p class="join-expiry muted">This invite works until ${expires}.</p>
      ${current?.user
        ? html`<${SignedInJoin} code=${code} user=${current.user}
            onProblem=${(error) => setProblem(inviteProblem(error, invite))} />`
        : html`<${SignedOutChoices} code=${code} />`}
    <//>`;
}
