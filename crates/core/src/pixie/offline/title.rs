//! Thread titles from the first message, for when the agent asks for one with no tools.
//!
//! A recognised request gets a title naming it ("Add milk and bread", "What's expiring");
//! anything else gets its own first words. At most six words, first letter capital, no
//! trailing punctuation.

use super::parse::{Intent, clean, parse};
use super::quantity::ItemPhrase;
use super::text::{Kind, tokenize};
use crate::pixie::thread::UNTITLED;

/// The most words a title has.
const MAX_WORDS: usize = 6;

/// Words a cut-short title must not end on.
const DANGLING: &[&str] = &[
    "to", "the", "and", "of", "a", "an", "on", "for", "with", "my", "our", "in", "from", "off",
];

/// A short title for a thread that starts with `first_message`.
pub(super) fn title(first_message: &str) -> String {
    let names = |items: &[ItemPhrase]| join(items.iter().map(|i| i.name.as_str()));
    let strings = |names: &[String]| join(names.iter().map(String::as_str));
    let text = match parse(first_message) {
        Intent::Greeting => "Saying hello".to_string(),
        Intent::Thanks => "Thanks".to_string(),
        Intent::Farewell => "Goodbye".to_string(),
        Intent::Acknowledged => "Quick chat".to_string(),
        Intent::Help => "What Pixie can do".to_string(),
        Intent::AddToList {
            items,
            list: Some(list),
        } => format!("Add {} to {list}", names(&items)),
        Intent::AddToList { items, list: None } => format!("Add {}", names(&items)),
        Intent::Bought(items) => format!("Bought {}", names(&items)),
        Intent::Consume { items, all: true } => format!("Out of {}", names(&items)),
        Intent::Consume { items, all: false } => format!("Used {}", names(&items)),
        Intent::Remove(n) => format!("Remove {}", strings(&n)),
        Intent::Check(n) => format!("Do we have {}", strings(&n)),
        Intent::ListItems {
            expiring: Some(_), ..
        } => "What's expiring".to_string(),
        Intent::ListItems {
            search: Some(search),
            ..
        } => format!("Pantry: {search}"),
        Intent::ListItems {
            category: Some(category),
            ..
        } => format!("Pantry: {}", category.as_str()),
        Intent::ListItems { .. } => "What's in the pantry".to_string(),
        Intent::ListLists => "Grocery lists".to_string(),
        Intent::Spending(_) => "Spending".to_string(),
        Intent::RunningLow => "Running low".to_string(),
        Intent::ShowList(Some(list)) => format!("{list} list"),
        Intent::ShowList(None) => "Shopping list".to_string(),
        Intent::CheckOff { names, .. } => format!("Tick off {}", strings(&names)),
        Intent::Recurring { names, interval } => {
            format!("{} {}", capitalised(interval.as_str()), strings(&names))
        }
        Intent::RemoveFromList | Intent::Incomplete(_) | Intent::Unknown => {
            let tokens = tokenize(first_message);
            clean(&tokens)
                .iter()
                .filter(|t| t.kind != Kind::Comma)
                .map(|t| t.raw.as_str())
                .take(MAX_WORDS)
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let mut words: Vec<&str> = text.split_whitespace().take(MAX_WORDS).collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| DANGLING.contains(&w.to_lowercase().as_str()))
    {
        words.pop();
    }
    let title = words
        .join(" ")
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c == '…')
        .to_string();
    if title.is_empty() {
        UNTITLED.to_string()
    } else {
        capitalised(&title)
    }
}

/// "milk", "milk and bread", "milk, eggs and flour".
fn join<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
