// Sign in and sign up. Both come back to `?next=` (an invite link, a deep link) afterwards.
import { html, useState, Button, Field } from '../lib/ui.js';
import { api, describe } from '../core/api.js';
import { session } from '../core/session.js';
import { Link, navigate, safeNext } from '../core/router.js';

function useSubmit(run) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [fieldErrors, setFieldErrors] = useState({});
  const submit = async (event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      await run(new FormData(event.currentTarget));
    } catch (err) {
      const byField = {};
      for (const d of err.details ?? []) byField[d.field] = d.message;
      setFieldErrors(byField);
      setError(Object.keys(byField).length ? 'Please check the fields below.' : describe(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, fieldErrors, submit };
}

export function SignInScreen({ query }) {
  const next = safeNext(query?.get('next'));
  const { busy, error, fieldErrors, submit } = useSubmit(async (form) => {
    const auth = await api('POST', '/api/auth/login', { body: { email: form.get('email'), password: form.get('password') } });
    session.set(auth);
    navigate(next ?? '/pantry', { replace: true });
  });
  return html`<section class="auth">
    <img class="auth-logo" src="/icons/icon.svg" alt="" width="64" height="64" />
    <h1>Welcome back</h1>
    <p class="muted">Your pantry, your lists and Pixie are waiting.</p>
    <form class="stack" onSubmit=${submit} novalidate>
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
      <${Field} label="Email" error=${fieldErrors.email}><input name="email" type="email" autocomplete="username" required autofocus /><//>
      <${Field} label="Password" error=${fieldErrors.password}><input name="password" type="password" autocomplete="current-password" required /><//>
      <${Button} type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}<//>
    </form>
    <p>New here? <${Link} href=${next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}>Create an account<//></p>
  </section>`;
}

export function SignUpScreen({ query }) {
  const next = safeNext(query?.get('next'));
  const { busy, error, fieldErrors, submit } = useSubmit(async (form) => {
    const auth = await api('POST', '/api/auth/register', {
      body: { name: form.get('name'), email: form.get('email'), password: form.get('password') },
    });
    session.set(auth);
    // A new account gets its own home; a person joining through an invite goes on to it.
    navigate(next ?? '/welcome', { replace: true });
  });
  return html`<section class="auth">
    <img class="auth-logo" src="/icons/icon.svg" alt="" width="64" height="64" />
    <h1>Create your account</h1>
    <p class="muted">One account per person; invite your household afterwards.</p>
    <form class="stack" onSubmit=${submit} novalidate>
      ${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
      <${Field} label="Name" error=${fieldErrors.name}><input name="name" autocomplete="name" required autofocus /><//>
      <${Field} label="Email" error=${fieldErrors.email}><input name="email" type="email" autocomplete="email" required /><//>
      <${Field} label="Password" hint="At least 8 characters; not a common password." error=${fieldErrors.password}>
        <input name="password" type="password" autocomplete="new-password" minlength="8" required />
      <//>
      <${Button} type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create account'}<//>
    </form>
    <p>Already have an account? <${Link} href=${next ? `/signin?next=${encodeURIComponent(next)}` : '/signin'}>Sign in<//></p>
  </section>`;
}
