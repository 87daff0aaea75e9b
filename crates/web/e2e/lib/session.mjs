// Putting an API session into a browser context the way the app's /js/core/session.js keeps
// it, so a test or a tool starts signed in without going through the sign-in screen.

/** The localStorage key and shape used by /js/core/session.js. */
export const SESSION_KEY = 'pp_session';

/** What session.js stores for a register/login/accept answer. */
export function storedSession(auth) {
  return {
    token: auth.token,
    refreshToken: auth.refreshToken,
    expiresAt: Date.now() + (auth.expiresIn ?? 900) * 1000,
    user: auth.user,
  };
}

/** Where the join and onboarding screens remember that a person has seen the welcome steps. */
const onboardedKey = (userId) => `pp_onboarded:${userId}`;

/**
 * Makes every page of `context` start with this session (set before the app's scripts run).
 * `onboarded: false` leaves the welcome steps to be shown, as after a real sign-up.
 */
export async function useSession(context, auth, { onboarded = true } = {}) {
  const value = JSON.stringify(storedSession(auth));
  await context.addInitScript(
    ([key, session, welcomeKey]) => {
      // Only the first load of each tab: after that the app owns the session (refresh, sign-out).
      try {
        if (!sessionStorage.getItem('e2e.session-seeded')) {
          sessionStorage.setItem('e2e.session-seeded', '1');
          localStorage.setItem(key, session);
          if (welcomeKey) localStorage.setItem(welcomeKey, '1');
        }
      } catch {
        // about:blank and other opaque origins have no storage: nothing to seed there.
      }
    },
    [SESSION_KEY, value, onboarded ? onboardedKey(auth.user.id) : null],
  );
}
