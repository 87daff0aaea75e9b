// A small REST client for seeding data and checking the server's state from tests and tools.
import { randomUUID } from 'node:crypto';

export const PASSWORD = 'kitchen-drawer-42-spoons';

export class ApiClient {
  constructor(baseUrl, auth = null) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.auth = auth;
  }

  get token() {
    return this.auth?.token;
  }

  get homeId() {
    return this.auth?.user?.homeId;
  }

  /** Calls the API and answers the envelope's `data`; throws with the server's message otherwise. */
  async request(method, path, body) {
    const headers = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new Error(`${method} ${path} -> ${response.status}: ${json?.error ?? text}`);
    }
    return json && typeof json === 'object' && 'success' in json && 'data' in json ? json.data : json;
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body) {
    return this.request('POST', path, body);
  }

  patch(path, body) {
    return this.request('PATCH', path, body);
  }

  /** `/api/homes/<home><suffix>` */
  home(suffix = '') {
    return `/api/homes/${this.homeId}${suffix}`;
  }
}

/** A unique, valid person for one test: parallel runs never share an account. */
export function newPerson(first = 'Alex') {
  const tag = randomUUID().slice(0, 8);
  return { name: first, email: `${first.toLowerCase()}.${tag}@example.com`, password: PASSWORD };
}

/** Signs a fresh person up over the API and answers a client holding their session. */
export async function signUp(baseUrl, person = newPerson()) {
  const client = new ApiClient(baseUrl);
  client.auth = await client.post('/api/auth/register', person);
  client.person = person;
  return client;
}

/** Alice invites `guest` (an ApiClient) into her home; answers the guest's client bound to it. */
export async function joinHome(owner, guest) {
  const { code } = await owner.post(owner.home('/invites'), {});
  const accepted = await guest.post(`/api/invites/${code}/accept`, undefined);
  guest.auth = { ...guest.auth, token: accepted.token, user: { ...guest.auth.user, homeId: accepted.homeId } };
  return guest;
}
