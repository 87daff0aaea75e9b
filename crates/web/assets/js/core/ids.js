// Client-chosen ids: the row keeps its final id while a change waits offline, and a replay of
// the same create is recognised by the server instead of making a second row.

/** A random (version 4) UUID. `crypto.randomUUID` needs a secure context; a household server
 * reached over plain http on the LAN is not one, so fall back to `getRandomValues`. */
export function newId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
