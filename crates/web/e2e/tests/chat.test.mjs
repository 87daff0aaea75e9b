// A chat turn against the routed model (crates/app/tests/browser.rs): Pixie calls addToList
// for Milk, then streams its answer in pieces; the browser shows the reply growing and the
// grocery-list card with Milk on it. Any other model (tools/with-server.sh's canned text)
// cannot answer like that, so the test runs only when PIXIE_FAKE_SCRIPT=milk says it can.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, Devices, eventually, useBrowser, waitUntilLive } from '../lib/harness.mjs';
import { newPerson, signUp } from '../lib/api.mjs';

const chromium = useBrowser();

const scripted = process.env.PIXIE_FAKE_SCRIPT === 'milk';

test('Pixie streams its reply and shows the list card', { skip: !scripted && 'needs the routed model of crates/app/tests/browser.rs (PIXIE_FAKE_SCRIPT=milk)' }, async (t) => {
  const devices = new Devices(chromium.browser, t);
  const alice = await signUp(BASE_URL, newPerson('Alice'));
  const { page } = await devices.open({ auth: alice.auth, path: '/chat', label: 'Alice' });
  await waitUntilLive(page);

  // Remember every state an assistant message went through, from before the question is sent.
  await page.evaluate(() => {
    window.__e2eAssistantStates = [];
    const record = () => {
      for (const message of document.querySelectorAll('[data-testid="chat-message"][data-role="assistant"]')) {
        window.__e2eAssistantStates.push({ streaming: message.dataset.streaming, text: message.textContent.trim() });
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });

  await page.getByLabel('Message Pixie').fill('Please put milk on the list');
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  await page.locator('[data-testid="chat-message"][data-role="user"]', { hasText: 'Please put milk on the list' }).waitFor();
  const reply = page.locator('[data-testid="chat-message"][data-role="assistant"][data-streaming="false"]', {
    hasText: 'Done! Milk is on your Quick Items list.',
  });
  await reply.waitFor({ timeout: 20_000 });

  const states = await page.evaluate(() => window.__e2eAssistantStates);
  const streamed = states.filter((state) => state.streaming === 'true');
  assert.ok(streamed.length > 0, `no assistant message was ever marked data-streaming="true": ${JSON.stringify(states.slice(-5))}`);
  const partial = streamed.filter((state) => state.text && !state.text.includes('Quick Items list.'));
  assert.ok(partial.length > 0, `the reply never showed part of its text while streaming: ${JSON.stringify(streamed.slice(0, 5))}`);
  t.diagnostic(`the reply grew through ${new Set(partial.map((state) => state.text)).size} partial texts`);

  const card = page.getByTestId('card-grocery-list');
  await card.filter({ hasText: 'Milk' }).first().waitFor({ timeout: 10_000 });

  // The tool really changed the list on the server.
  await eventually(
    async () => {
      const lists = await alice.get(alice.home('/lists'));
      return lists.some((list) => list.items.some((entry) => entry.item.name.toLowerCase() === 'milk'));
    },
    { message: 'Milk on a list on the server' },
  );
  devices.finish();
});
