//! Item phrases: "2 kg flour", "a dozen eggs", "half a loaf of bread", "milk".
//!
//! Choices, so the pantry sees the same thing every time:
//! - the unit is sent in its wire spelling ([`Unit::as_str`]): "500g" becomes `gram`,
//!   "2 litres of" becomes `liter`, "bottles" becomes `bottle`;
//! - "a dozen eggs" is 1 `dozen` (the pantry converts dozens to pieces exactly);
//! - a container word that is not a unit stays in the name: "3 cans of beans" is 3 of
//!   "cans of beans", so the count keeps its meaning;
//! - "a few", "some", "more" and similar name no amount and are dropped.

use super::text::{Kind, Token, after, after_any, raw_text, trim_end, trim_start};
use crate::items::{Quantity, Unit};

/// One item the user named.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ItemPhrase {
    /// The name as typed, minus articles.
    pub name: String,
    /// How much, if said (never zero).
    pub quantity: Option<Quantity>,
    /// In what, if said.
    pub unit: Option<Unit>,
}

/// Words before a name that say nothing about it.
const LEADING: &[&str] = &[
    "a lot of",
    "lots of",
    "a bit of",
    "a bit more",
    "a little",
    "a few",
    "plenty of",
    "some more",
    "a bit",
    "the",
    "some",
    "any",
    "my",
    "our",
    "more",
    "of",
    "another",
    "also",
    "all",
    "those",
    "these",
    "this",
    "that",
    "last",
    "remaining",
    "rest of the",
    "rest of",
    "half of the",
    "half the",
    "half of",
];

/// Words after a name that say nothing about it.
const TRAILING: &[&str] = &[
    "as well",
    "too",
    "also",
    "again",
    "left",
    "please",
    "for me",
    "for us",
    "then",
    "now",
    "asap",
    "today",
    "yesterday",
    "this morning",
    "this afternoon",
    "this evening",
    "tonight",
    "last night",
    "earlier",
    "just now",
    "this week",
    "tomorrow",
    "later",
    "next time",
    "soon",
    "on the way home",
];

/// Words where a name ends: what follows is why, where from or when.
const CUT: &[&str] = &["for", "from", "at", "because", "since", "when", "so", "but"];

/// Words that stand for no item on their own.
const VAGUE: &[&str] = &[
    "a",
    "an",
    "it",
    "them",
    "that",
    "this",
    "something",
    "stuff",
    "things",
    "thing",
    "to",
    "list",
    "pantry",
    "some",
    "any",
    "everything",
    "anything",
    "nothing",
    "all",
    "me",
    "us",
    "you",
    "time",
    "ideas",
    "luck",
    "patience",
    "energy",
    "steam",
    "space",
    "options",
    "hug",
    "break",
    "nap",
    "holiday",
    "rest",
    "sleep",
    "minute",
    "moment",
    "weather",
];

const NUMBER_WORDS: &[(&str, i64)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
];

/// Splits `tokens` at commas, "and", "&" and "plus" and reads each part as an item; parts
/// that name nothing are dropped.
/// A few dishes keep their "and" ("mac and cheese" is one item).
pub(super) fn parse_items(tokens: &[Token]) -> Vec<ItemPhrase> {
    const ONE_ITEM: &[(&str, &str)] = &[
        ("mac", "cheese"),
        ("macaroni", "cheese"),
        ("salt", "vinegar"),
        ("sweet", "sour"),
        ("cookies", "cream"),
        ("half", "half"),
        ("fish", "chips"),
    ];
    let mut items = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        let joined = token.is("and")
            && i > 0
            && ONE_ITEM.iter().any(|(left, right)| {
                tokens[i - 1].is(left) && tokens.get(i + 1).is_some_and(|n| n.is(right))
            });
        if token.is_separator() && !joined {
            items.extend(parse_item(&tokens[start..i]));
            start = i + 1;
        }
    }
    items.extend(parse_item(tokens.get(start..).unwrap_or(&[])));
    items
}

/// Just the names of [`parse_items`].
pub(super) fn parse_names(tokens: &[Token]) -> Vec<String> {
    parse_items(tokens).into_iter().map(|i| i.name).collect()
}

/// Reads one item: an optional amount, an optional unit (with "of"), then the name.
fn parse_item(tokens: &[Token]) -> Option<ItemPhrase> {
    // "eggs for breakfast", "milk from Aldi": the purpose or the shop is not the name.
    let end = tokens
        .iter()
        .position(|t| CUT.iter().any(|w| t.is(w)))
        .unwrap_or(tokens.len());
    let tokens = trim_end(trim_start(&tokens[..end], LEADING), TRAILING);
    let (quantity, rest) = match amount(tokens) {
        Some((milli, rest)) => (Quantity::from_milli(milli).filter(|q| !q.is_zero()), rest),
        None => (None, tokens),
    };
    let rest = after(rest, "x").unwrap_or(rest);
    let (unit, rest) = match rest.split_first() {
        // "dozen eggs" with no number is still one dozen.
        Some((first, tail)) if quantity.is_none() && first.is("dozen") => {
            return finish(tail, Quantity::from_milli(1000), Some(Unit::Dozen))
                .or_else(|| finish(rest, None, None));
        }
        Some((first, tail)) if quantity.is_some() && !tail.is_empty() => match unit(first) {
            Some(unit) => (Some(unit), tail),
            None => (None, rest),
        },
        _ => (None, rest),
    };
    finish(rest, quantity, unit).or_else(|| {
        // "2 bags of" names nothing but a unit: the unit word is the name.
        unit?;
        let tokens = tokens.get(tokens.len().saturating_sub(rest.len() + 1)..)?;
        finish(tokens, quantity, None)
    })
}

/// The item, if the words left name something (not just "it", a number word or nothing).
fn finish(tokens: &[Token], quantity: Option<Quantity>, unit: Option<Unit>) -> Option<ItemPhrase> {
    let tokens = trim_end(trim_start(tokens, LEADING), TRAILING);
    let name = raw_text(tokens);
    let vague = matches!(tokens, [only] if VAGUE.iter().chain(NUMBER_WORDS.iter().map(|(w, _)| w)).any(|w| only.is(w)));
    let named = name.chars().any(char::is_alphabetic) && !vague;
    named.then_some(ItemPhrase {
        name,
        quantity,
        unit,
    })
}

/// A unit word, including the plurals [`Unit::parse`] does not know.
fn unit(token: &Token) -> Option<Unit> {
    if token.kind != Kind::Word {
        return None;
    }
    match token.norm.as_str() {
        "loaves" => Some(Unit::Loaf),
        "bunches" => Some(Unit::Bunch),
        "dozens" => Some(Unit::Dozen),
        word => Unit::parse(word),
    }
}

/// A leading amount in thousandths, and what follows it.
fn amount(tokens: &[Token]) -> Option<(i64, &[Token])> {
    if let Some(rest) = after_any(
        tokens,
        &["a couple of", "a couple", "couple of", "a pair of"],
    ) {
        return Some((2000, rest));
    }
    if after_any(tokens, &["half the", "half of"]).is_some() {
        // Half of whatever is there is not an amount the pantry can take.
        return None;
    }
    if let Some(rest) = after_any(tokens, &["half a", "half an", "a half", "half"]) {
        return Some((500, rest));
    }
    let (first, rest) = tokens.split_first()?;
    if rest.is_empty() {
        return None;
    }
    if let Kind::Number(milli) = first.kind {
        // "1 1/2" and "2 and a half" are left out: rare in a pantry chat.
        return Some((milli, rest));
    }
    if first.is("a") || first.is("an") {
        return Some((1000, rest));
    }
    NUMBER_WORDS
        .iter()
        .find(|(w, _)| first.is(w))
        .map(|(_, n)| (n * 1000, rest))
}

#[cfg(test)]
mod tests {
    use super::super::text::tokenize;
    use super::*;

    fn item(text: &str) -> Option<(String, Option<i64>, Option<Unit>)> {
        parse_item(&tokenize(text)).map(|i| (i.name, i.quantity.map(Quantity::milli), i.unit))
    }

    #[test]
    fn amounts_units_and_names() {
        let some = |n: &str, q: Option<i64>, u: Option<Unit>| Some((n.to_string(), q, u));
        assert_eq!(
            item("500g rice"),
            some("rice", Some(500_000), Some(Unit::Gram))
        );
        assert_eq!(
            item("2 litres of milk"),
            some("milk", Some(2000), Some(Unit::Liter))
        );
        assert_eq!(
            item("a dozen eggs"),
            some("eggs", Some(1000), Some(Unit::Dozen))
        );
        assert_eq!(
            item("half a loaf of Bread"),
            some("Bread", Some(500), Some(Unit::Loaf))
        );
        assert_eq!(
            item("3 cans of beans"),
            some("cans of beans", Some(3000), None)
        );
        assert_eq!(item("2 bags"), some("bags", Some(2000), None));
        assert_eq!(item("a few eggs"), some("eggs", None, None));
        assert_eq!(item("the"), None);
        assert_eq!(item("0 eggs"), some("eggs", None, None));
    }
}
