// A realistic household for screenshots and demos, built over the REST API: two partners, a
// stocked pantry with expiry dates, two grocery lists and a chat with Pixie.
import { joinHome, newPerson, signUp } from './api.mjs';

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

const PANTRY = [
  { name: 'Whole milk', quantity: 2, unit: 'liter', category: 'dairy', location: 'Fridge', expiresAt: inDays(3), price: 1.29, store: 'Corner shop' },
  { name: 'Greek yogurt', quantity: 500, unit: 'gram', category: 'dairy', location: 'Fridge', expiresAt: inDays(1) },
  { name: 'Cheddar', quantity: 250, unit: 'gram', category: 'dairy', location: 'Fridge', expiresAt: inDays(12) },
  { name: 'Eggs', quantity: 10, unit: 'piece', category: 'dairy', location: 'Fridge', expiresAt: inDays(9) },
  { name: 'Chicken thighs', quantity: 600, unit: 'gram', category: 'meat', location: 'Freezer', expiresAt: inDays(40) },
  { name: 'Spinach', quantity: 1, unit: 'bag', category: 'produce', location: 'Fridge', expiresAt: inDays(-1) },
  { name: 'Bananas', quantity: 5, unit: 'piece', category: 'produce', location: 'Counter', expiresAt: inDays(4) },
  { name: 'Carrots', quantity: 1, unit: 'kg', category: 'produce', location: 'Fridge', expiresAt: inDays(14) },
  { name: 'Basmati rice', quantity: 2, unit: 'kg', category: 'grains', location: 'Cupboard' },
  { name: 'Rolled oats', quantity: 750, unit: 'gram', category: 'grains', location: 'Cupboard', expiresAt: inDays(120) },
  { name: 'Spaghetti', quantity: 3, unit: 'package', category: 'grains', location: 'Cupboard' },
  { name: 'Chopped tomatoes', quantity: 4, unit: 'jar', category: 'pantry', location: 'Cupboard', expiresAt: inDays(300) },
  { name: 'Frozen peas', quantity: 1, unit: 'bag', category: 'frozen', location: 'Freezer', expiresAt: inDays(90) },
  { name: 'Coffee beans', quantity: 500, unit: 'gram', category: 'beverages', location: 'Cupboard', expiresAt: inDays(60), price: 8.5 },
  { name: 'Olive oil', quantity: 1, unit: 'bottle', category: 'condiments', location: 'Cupboard' },
  { name: 'Smoked paprika', quantity: 1, unit: 'jar', category: 'spices', location: 'Spice rack' },
];

const QUICK_ITEMS = ['Bread', 'Tomatoes', 'Coffee filters', 'Washing-up liquid', 'Lemons'];
const MARKET = [{ name: 'Strawberries', quantity: 2, unit: 'box' }, { name: 'Sourdough', quantity: 1, unit: 'loaf' }, { name: 'Goat cheese' }];

/** Seeds a home on `baseUrl`; answers `{alice, bob, lists, thread}` (alice and bob are ApiClients). */
export async function seedHousehold(baseUrl) {
  const alice = await signUp(baseUrl, newPerson('Alice'));
  const bob = await joinHome(alice, await signUp(baseUrl, newPerson('Bob')));
  await alice.patch(alice.home(), { name: 'Maple Street', currency: 'EUR' });

  for (const [n, item] of PANTRY.entries()) {
    // Both partners stock the pantry, so the activity feed shows two people.
    await (n % 3 === 0 ? bob : alice).post(alice.home('/items'), item);
  }
  const items = await alice.get(alice.home('/items'));
  const milk = items.find((item) => item.name === 'Whole milk');
  await bob.post(alice.home(`/items/${milk.id}/consume`), { quantity: 0.5 });

  const quick = await alice.get(alice.home('/lists/default'));
  const quickEntries = [];
  for (const name of QUICK_ITEMS) {
    quickEntries.push((await alice.post(alice.home(`/lists/${quick.id}/items/by-name`), { name })).listItem);
  }
  await bob.patch(alice.home(`/lists/${quick.id}/items/${quickEntries[1].id}/toggle`));
  const market = await alice.post(alice.home('/lists'), { name: 'Saturday market', description: 'Farmers market by the station' });
  for (const entry of MARKET) {
    await bob.post(alice.home(`/lists/${market.id}/items/by-name`), entry);
  }

  const thread = await alice.post(alice.home('/chat/threads'), {});
  await alice.post(alice.home(`/chat/threads/${thread.id}/messages`), { content: 'What do we need for pancakes on Sunday?' });
  // The fake model names threads after its canned reply: give this one a real name.
  await alice.patch(alice.home(`/chat/threads/${thread.id}`), { title: 'Sunday pancakes' });

  return { alice, bob, lists: { quick, market }, thread };
}
