// Scanning a receipt from the chat against the routed model (crates/app/tests/browser.rs): the
// photo is read by the "vision model" (a fixed Corner Shop receipt), sent to Pixie, whose reply
// brings the receipt-review card; "Add to pantry" puts its lines in the pantry exactly once,
// and the card still says so after a reload. Any other model cannot read a receipt, so the
// test runs only when PIXIE_FAKE_SCRIPT=milk says the model is that one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { BASE_URL, Devices, eventually, useBrowser, waitUntilLive } from '../lib/harness.mjs';
import { newPerson, signUp } from '../lib/api.mjs';

const chromium = useBrowser();

const scripted = process.env.PIXIE_FAKE_SCRIPT === 'milk';

// What the routed model's vision answer holds (RECEIPT_ANSWER in crates/app/tests/browser.rs).
const LINES = [
  { name: 'Rye bread', quantity: 1 },
  { name: 'Blueberries', quantity: 2 },
];

test('a scanned receipt shows the review card and adds its items once', { skip: !scripted && 'needs the routed model of crates/app/tests/browser.rs (PIXIE_FAKE_SCRIPT=milk)' }, async (t) => {
  const devices = new Devices(chromium.browser, t);
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  const { page } = await devices.open({ auth: alice.auth, path: '/chat', label: 'Alice' });
  await waitUntilLive(page);

  await page.getByRole('button', { name: 'Scan a receipt' }).waitFor();
  await page.getByLabel('Receipt photo').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: receiptPng() });

  await page.locator('[data-testid="chat-message"][data-role="user"]', { hasText: "Here's my receipt from Corner Shop" }).waitFor({ timeout: 20_000 });
  const card = page.getByTestId('card-receipt-review');
  await card.waitFor({ timeout: 20_000 });
  for (const line of LINES) await card.getByText(line.name, { exact: true }).waitFor();
  await page.locator('[data-testid="chat-message"][data-role="assistant"][data-streaming="false"]', { hasText: 'Have a look and add it.' }).waitFor({ timeout: 20_000 });

  await card.getByRole('button', { name: 'Add to pantry' }).click();
  await card.getByText(`Added ${LINES.length} to the pantry`).waitFor({ timeout: 10_000 });

  const pantry = () => alice.get(alice.home('/items'));
  const assertOnce = (items, when) => {
    for (const line of LINES) {
      const found = items.filter((item) => item.name === line.name);
      assert.equal(found.length, 1, `${when}: "${line.name}" is in the pantry exactly once (${JSON.stringify(items.map((item) => item.name))})`);
      assert.equal(found[0].quantity, line.quantity, `${when}: "${line.name}" has the receipt's quantity`);
    }
  };
  await eventually(async () => (await pantry()).length >= LINES.length, { message: 'the receipt items in the pantry' });
  assertOnce(await pantry(), 'after "Add to pantry"');

  // After a reload the card remembers it was added and offers nothing to add again.
  await page.reload();
  await waitUntilLive(page);
  const reloaded = page.getByTestId('card-receipt-review');
  await reloaded.getByText(`Added ${LINES.length} to the pantry`).waitFor({ timeout: 10_000 });
  assert.equal(await reloaded.getByRole('button', { name: 'Add to pantry' }).count(), 0, 'no second "Add to pantry" after a reload');
  assertOnce(await pantry(), 'after a reload');
  devices.finish();
});

/** A small grey-on-white PNG that looks a little like a till receipt (rows of "text"). */
function receiptPng(width = 120, height = 200) {
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(width + 1, 0xff);
    row[0] = 0; // filter: none
    if (y % 12 >= 4 && y % 12 < 8) row.fill(0x40, 11, 11 + ((y * 7) % 80) + 20);
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}
