// Quick add: "2 kg flour", "flour 2kg", "6 eggs", "milk" -> {name, quantity, unit}, a first
// guess at the category, and names compared as the server compares them. Used by the pantry
// and the lists.

const UNIT_ALIASES = {
  piece: ['piece', 'pieces', 'pc', 'pcs', 'x'],
  gram: ['g', 'gr', 'gram', 'grams', 'gramme', 'grammes'],
  kg: ['kg', 'kgs', 'kilo', 'kilos', 'kilogram', 'kilograms'],
  ml: ['ml', 'millilitre', 'millilitres', 'milliliter', 'milliliters'],
  liter: ['l', 'lt', 'liter', 'liters', 'litre', 'litres'],
  oz: ['oz', 'ounce', 'ounces'],
  lb: ['lb', 'lbs', 'pound', 'pounds'],
  cup: ['cup', 'cups'],
  tbsp: ['tbsp', 'tablespoon', 'tablespoons'],
  tsp: ['tsp', 'teaspoon', 'teaspoons'],
  bunch: ['bunch', 'bunches'],
  dozen: ['dozen', 'doz'],
  loaf: ['loaf', 'loaves'],
  bottle: ['bottle', 'bottles'],
  box: ['box', 'boxes'],
  bag: ['bag', 'bags'],
  package: ['package', 'packages', 'pack', 'packs', 'packet', 'packets'],
  jar: ['jar', 'jars'],
};
const UNIT_BY_WORD = new Map(
  Object.entries(UNIT_ALIASES).flatMap(([unit, words]) => words.map((w) => [w, unit])),
);
const NUMBER = String.raw`(\d+(?:[.,]\d+)?|\d+\/\d+|½|¼|¾|an?)`;
const LEADING = new RegExp(String.raw`^${NUMBER}\s*([a-z]+\.?)?\s+(?:of\s+)?(.+)$`, 'i');
const TRAILING = new RegExp(String.raw`^(.+?)\s+(?:x\s*)?${NUMBER}\s*([a-z]+)?$`, 'i');

function parseAmount(text) {
  const t = text.toLowerCase();
  if (t === 'a' || t === 'an') return 1;
  if (t === '½') return 0.5;
  if (t === '¼') return 0.25;
  if (t === '¾') return 0.75;
  if (t.includes('/')) {
    const [a, b] = t.split('/').map(Number);
    return b ? a / b : NaN;
  }
  return Number(t.replace(',', '.'));
}

export const capitalise = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * "2 kg flour" -> {name: "Flour", quantity: 2, unit: "kg"}. What the person did not type is
 * null ("milk" -> quantity and unit null), so the server can use the item's own unit.
 */
export function parseQuickAdd(input) {
  const text = input.trim().replace(/\s+/g, ' ');
  // `words` is what followed the amount, as typed: the name when the unit word is no unit.
  const attempt = (amount, unitWord, name, words) => {
    const quantity = parseAmount(amount);
    if (!(quantity > 0) || !name) return null;
    const rounded = Math.round(quantity * 1000) / 1000;
    const unit = unitWord ? UNIT_BY_WORD.get(unitWord.toLowerCase().replace(/\.$/, '')) : null;
    // "2 big onions": "big" is not a unit, so it belongs to the name.
    if (unitWord && !unit) return { name: capitalise(words), quantity: rounded, unit: null };
    return { name: capitalise(name), quantity: rounded, unit };
  };
  const lead = text.match(LEADING);
  if (lead) {
    const parsed = attempt(lead[1], lead[2], lead[3], text.slice(lead[1].length).trim());
    if (parsed) return parsed;
  }
  const trail = text.match(TRAILING);
  if (trail && (!trail[3] || UNIT_BY_WORD.has(trail[3].toLowerCase()))) {
    const parsed = attempt(trail[2], trail[3], trail[1], trail[1]);
    if (parsed) return parsed;
  }
  return { name: capitalise(text), quantity: null, unit: null };
}

/** The parsed fields that were typed, ready for a request body. */
export function typedAmount({ quantity, unit }) {
  return { ...(quantity != null && { quantity }), ...(unit && { unit }) };
}

// A first guess so quick-added items land in a sensible group; editable in the item sheet.
const CATEGORY_HINTS = {
  dairy: /\b(milk|cheese|yog(h)?urt|butter|cream|eggs?|kefir)\b/,
  meat: /\b(chicken|beef|pork|lamb|mince|bacon|ham|sausages?|turkey|fish|salmon|tuna)\b/,
  produce: /\b(apples?|bananas?|oranges?|lemons?|limes?|tomato(es)?|potato(es)?|onions?|garlic|carrots?|lettuce|spinach|peppers?|cucumbers?|berries|grapes|avocados?|herbs?|salad|broccoli|mushrooms?)\b/,
  grains: /\b(rice|pasta|bread|oats|cereal|noodles|couscous|quinoa|tortillas?|bagels?)\b/,
  frozen: /\b(frozen|ice cream|peas)\b/,
  beverages: /\b(water|juice|coffee|tea|soda|beer|wine|cola)\b/,
  snacks: /\b(crisps|chips|biscuits|cookies|chocolate|crackers|nuts|popcorn)\b/,
  condiments: /\b(ketchup|mayo(nnaise)?|mustard|vinegar|soy sauce|sauce|jam|honey|oil)\b/,
  spices: /\b(salt|pepper|cumin|paprika|cinnamon|oregano|chili|curry)\b/,
  baking: /\b(flour|sugar|yeast|baking|cocoa|vanilla)\b/,
  pantry: /\b(beans|lentils|chickpeas|tins?|cans?|stock|soup)\b/,
};

export function guessCategory(name) {
  const lower = name.toLowerCase();
  const hit = Object.entries(CATEGORY_HINTS).find(([, pattern]) => pattern.test(lower));
  return hit ? hit[0] : 'other';
}

/** Names as the server compares them: case and spacing aside. */
export const sameName = (a = '', b = '') => normalise(a) === normalise(b);
const normalise = (name) => name.trim().replace(/\s+/g, ' ').toLowerCase();
