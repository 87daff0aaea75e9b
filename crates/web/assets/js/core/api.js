// Calls to the server's JSON API: the bearer token, one refresh on 401, the envelope unwrapped,
// and errors as values screens can show.
import { session } from './session.js';

/** The server answered with an error envelope (`docs/api.md`). */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body?.error || `Request failed (${status})`);
    this.status = status;
    this.code = body?.code ?? null;
    this.details = body?.details ?? [];
    this.current = body?.current ?? null;
    this.retryAfter = retryAfter;
  }
}

/** The request never got an answer: offline, or the server is unreachable. */
export class NetworkError extends Error {
  constructor(cause) {
    super("You're offline, or the server can't be reached.");
    this.offline = true;
    this.cause = cause;
  }
}

export async function api(method, path, { body, query, idempotencyKey, ifMatch, signal } = {}) {
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    if ([...params].length) url += `?${params}`;
  }
  const send = async () => {
    const headers = { Accept: 'application/json' };
    const token = session.get()?.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    if (ifMatch !== undefined && ifMatch !== null) headers['If-Match'] = `"${ifMatch}"`;
    try {
      return await fetch(url, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      if (error?.name === 'AbortError') throw error;
      throw new NetworkError(error);
    }
  };
  let response = await send();
  if (response.status === 401 && session.get() && !path.startsWith('/api/auth/login') && !path.startsWith('/api/auth/register')) {
    const renewed = await session.refresh().catch(() => null);
    if (renewed) response = await send();
  }
  return unwrap(response);
}

async function unwrap(response) {
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After')) || null;
    throw new ApiError(response.status, json, retryAfter);
  }
  if (json && typeof json === 'object' && 'success' in json) return 'data' in json ? json.data : json;
  return json;
}

/** `/api/homes/<the active home><suffix>`. */
export function homePath(suffix = '') {
  return `/api/homes/${session.homeId()}${suffix}`;
}

/** A message for people from any error. */
export function describe(error) {
  if (error instanceof ApiError) {
    if (error.code === 'VALIDATION_ERROR' && error.details?.length) {
      return error.details.map((d) => `${d.field}: ${d.message}`).join('; ');
    }
    return error.message;
  }
  if (error instanceof NetworkError) return error.message;
  return 'Something went wrong. Please try again.';
}
