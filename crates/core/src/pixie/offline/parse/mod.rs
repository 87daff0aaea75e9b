//! The grammar: what a message asks for.
//!
//! Matching is on whole, normalised words (so "address" is never "add" and "this" is never
//! "hi"), after politeness ("please", "pixie,", "can you") is trimmed from both ends. The
//! kinds of request are tried in a fixed order, most specific first; the first that fits
//! wins. One request per message: "add milk and we're out of eggs" is not split.

use super::quantity::ItemPhrase;
use super::text::{Token, after_any, tokenize, trim_end, trim_start};
use crate::insights::BudgetPeriod;
use crate::items::Category;
use insights::{running_low, spending};
use lists::{add_to_list, all_lists, implicit_add, recurring, show_list, tick_off};
use pantry::{bought, check, consume, expiring, pantry_listing, remove};
use talk::{help, is_greeting, is_thanks, small_talk};

mod insights;
mod lists;
mod pantry;
mod talk;
mod target;

/// How often a recurring item is bought, in the `setRecurring` spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Interval {
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
    /// Every two weeks.
    Biweekly,
    /// Every month.
    Monthly,
}

impl Interval {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Daily => "daily",
            Interval::Weekly => "weekly",
            Interval::Biweekly => "biweekly",
            Interval::Monthly => "monthly",
        }
    }
}

impl Intent {
    /// The item names it acts on, for "them" in the next clause.
    fn names(&self) -> Vec<String> {
        let items = |items: &[ItemPhrase]| items.iter().map(|i| i.name.clone()).collect();
        match self {
            Intent::AddToList { items: i, .. }
            | Intent::Bought(i)
            | Intent::Consume { items: i, .. } => items(i),
            Intent::Remove(n) | Intent::Check(n) => n.clone(),
            Intent::CheckOff { names, .. } | Intent::Recurring { names, .. } => names.clone(),
            _ => Vec::new(),
        }
    }

    /// Whether it is answered by calling tools (rather than in words).
    pub(super) fn acts(&self) -> bool {
        matches!(
            self,
            Intent::AddToList { .. }
                | Intent::Bought(_)
                | Intent::Consume { .. }
                | Intent::Remove(_)
                | Intent::Check(_)
                | Intent::ListItems { .. }
                | Intent::ListLists
                | Intent::ShowList(_)
                | Intent::CheckOff { .. }
                | Intent::Recurring { .. }
                | Intent::Spending(_)
                | Intent::RunningLow
        )
    }
}

/// A request the grammar recognised but that names nothing to act on ("add", "out of").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verb {
    /// Add to a list.
    Add,
    /// Bought.
    Bought,
    /// Used or ran out.
    Consume,
    /// Delete from the pantry.
    Remove,
    /// Do we have?
    Check,
    /// Tick off a list.
    TickOff,
    /// Buy regularly.
    Recurring,
    /// Buy regularly, but how often was not said.
    Interval,
}

/// What a message asks for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Intent {
    /// "hi", "hello pixie".
    Greeting,
    /// "thanks".
    Thanks,
    /// "bye", "good night".
    Farewell,
    /// "ok", "no thanks", "never mind".
    Acknowledged,
    /// "help", "what can you do".
    Help,
    /// Add items to a grocery list (`None`: the default list).
    AddToList {
        /// The items.
        items: Vec<ItemPhrase>,
        /// The list's name as typed.
        list: Option<String>,
    },
    /// Put items into the pantry.
    Bought(Vec<ItemPhrase>),
    /// Used some (quantities) or all (`all`) of items.
    Consume {
        /// The items.
        items: Vec<ItemPhrase>,
        /// Used up / out of.
        all: bool,
    },
    /// Delete items from the pantry.
    Remove(Vec<String>),
    /// Do we have these?
    Check(Vec<String>),
    /// What's in the pantry, optionally narrowed.
    ListItems {
        /// A name to search for.
        search: Option<String>,
        /// A category.
        category: Option<Category>,
        /// Only what expires within this many days (7, or 30 when a month is mentioned).
        expiring: Option<u32>,
    },
    /// Show all grocery lists.
    ListLists,
    /// Show one grocery list (`None`: the default list).
    ShowList(Option<String>),
    /// Tick items off a list.
    CheckOff {
        /// The items.
        names: Vec<String>,
        /// The list's name as typed.
        list: Option<String>,
    },
    /// Buy items regularly.
    Recurring {
        /// The items.
        names: Vec<String>,
        /// How often.
        interval: Interval,
    },
    /// "how much did we spend this month?": the spending summary.
    Spending(BudgetPeriod),
    /// "what's running low?": the restock predictions.
    RunningLow,
    /// "remove eggs from the list": no tool deletes list entries, so it is explained.
    RemoveFromList,
    /// A known request that names nothing.
    Incomplete(Verb),
    /// Nothing recognised.
    Unknown,
}

/// Politeness and fillers trimmed from the start of a message.
const POLITE_START: &[&str] = &[
    "hey pixie",
    "hi pixie",
    "hello pixie",
    "ok pixie",
    "okay pixie",
    "pixie",
    "please",
    "pls",
    "plz",
    "kindly",
    "ok",
    "okay",
    "oh",
    "um",
    "umm",
    "so",
    "well",
    "right",
    "alright",
    "hey",
    "hi",
    "hello",
    "can you please",
    "could you please",
    "would you please",
    "can you",
    "could you",
    "would you mind",
    "would you",
    "will you",
    "can u",
    "could u",
    "i want you to",
    "i would like you to",
    "id like you to",
    "i need you to",
    "go ahead and",
    "lets",
    "can we",
    "could we",
    "shall we",
    "i want to",
    "i would like to",
    "id like to",
    "i need to",
    "we need to",
    "quick question",
    "also",
    "and",
    "then",
    "now",
    "i think",
    "i guess",
    "maybe",
    "actually",
    "btw",
    "by the way",
    "can you tell me",
    "could you tell me",
    "tell me",
    "let me know",
    "do you know",
    "i wonder",
    "i was wondering",
    "thanks",
    "thank you",
    "yes please",
    "yes",
    "yeah",
    "sure",
    "great",
    "good morning",
    "good afternoon",
    "good evening",
    "morning",
    "can i",
    "could i",
    "should i",
    "shall i",
    "remind me to",
    "remind me",
];

/// Politeness trimmed from the end of a message.
const POLITE_END: &[&str] = &[
    "thank you pixie",
    "thanks pixie",
    "thank you",
    "thanks",
    "thx",
    "please",
    "pls",
    "plz",
    "pixie",
    "for me",
    "for us",
    "now",
    "thank you so much",
    "cheers",
    "if you can",
    "if you could",
];

/// Who is speaking, and adverbs, skipped before a verb: "I've just bought", "we're out of".
const SUBJECT: &[&str] = &[
    "i have", "we have", "i am", "we are", "i", "we", "ive", "weve", "im", "were", "id", "wed",
];
const ADVERB: &[&str] = &[
    "just",
    "also",
    "already",
    "finally",
    "recently",
    "actually",
    "totally",
    "completely",
    "now",
    "have",
];

const LIST_WORDS: &[&str] = &["list", "lists", "shopping", "grocery", "groceries"];
const PANTRY_WORDS: &[&str] = &[
    "pantry",
    "cupboard",
    "cupboards",
    "fridge",
    "freezer",
    "larder",
    "stock",
    "inventory",
    "kitchen",
    "cabinet",
    "store",
    "house",
    "home",
];
/// Words that point at where something goes.
const PREPOSITIONS: &[&str] = &["to", "on", "onto", "in", "into", "from", "off", "for"];
const ARTICLES: &[&str] = &["the", "my", "our", "a", "your", "this", "that"];
const ACTIONS: &[&str] = &[
    "add", "put", "buy", "bought", "get", "got", "remove", "delete", "tick", "cross", "used",
    "use", "need",
];

/// One kind of request: the intent when the message is of that kind.
type Rule = fn(&[Token]) -> Option<Intent>;

/// Reads a message.
pub(super) fn parse(text: &str) -> Intent {
    let all = tokenize(text);
    if is_greeting(&all) {
        return Intent::Greeting;
    }
    if is_thanks(&all) {
        return Intent::Thanks;
    }
    if let Some(intent) = small_talk(&all) {
        return intent;
    }
    read(&all)
}

/// Reads a message that may hold several requests joined by "and" or a comma ("I bought
/// eggs and we're out of milk"): when every clause is a request for the pantry or lists, all
/// of them in order; otherwise the message read as one (so "add milk and eggs" stays one).
pub(super) fn parse_all(text: &str) -> Vec<Intent> {
    let whole = parse(text);
    let all = tokenize(text);
    let clauses = clauses(clean(&all));
    if clauses.len() < 2 {
        return vec![whole];
    }
    let mut intents: Vec<Intent> = Vec::new();
    for clause in clauses {
        // "we're out of eggs, add them to the list": "them" is the eggs.
        let previous = intents.last().map(Intent::names).unwrap_or_default();
        let resolved = resolve_pronouns(clause, &previous);
        let mut intent = read(resolved.as_deref().unwrap_or(clause));
        // "I bought eggs and ate two": a clause naming nothing means the same items.
        if matches!(intent, Intent::Incomplete(_)) && !previous.is_empty() {
            let mut completed = clause.to_vec();
            completed.extend(tokenize(&previous.join(" and ")));
            intent = read(&completed);
        }
        intents.push(intent);
    }
    if intents.iter().all(Intent::acts) {
        intents
    } else {
        vec![whole]
    }
}

/// Splits at a separator followed by what starts a request: a subject ("we're", "I") or a
/// verb ("add", "remove").
fn clauses(t: &[Token]) -> Vec<&[Token]> {
    const STARTS: &[&str] = &[
        "i", "we", "ive", "weve", "im", "were", "id", "add", "put", "remove", "delete", "tick",
        "cross", "buy", "bought", "got", "used", "ate", "drank", "throw", "mark", "show",
        "finished", "ran", "need", "do", "is", "are", "whats", "what", "how", "out", "then",
    ];
    let mut clauses = Vec::new();
    let mut start = 0;
    for (i, token) in t.iter().enumerate() {
        let next = t.get(i + 1);
        if token.is_separator() && next.is_some_and(|n| STARTS.iter().any(|w| n.is(w))) {
            clauses.push(&t[start..i]);
            start = i + 1;
        }
    }
    clauses.push(&t[start..]);
    clauses.retain(|c| !c.is_empty());
    clauses
}

/// The clause with "it", "them", "those" or "these" replaced by `names` (joined by "and"),
/// or `None` when it has no such word or there is nothing to refer to.
fn resolve_pronouns(clause: &[Token], names: &[String]) -> Option<Vec<Token>> {
    const PRONOUNS: &[&str] = &["it", "them", "those", "these"];
    let at = clause
        .iter()
        .position(|w| PRONOUNS.iter().any(|p| w.is(p)))?;
    if names.is_empty() {
        return None;
    }
    let mut resolved = clause[..at].to_vec();
    resolved.extend(tokenize(&names.join(" and ")));
    resolved.extend_from_slice(&clause[at + 1..]);
    Some(resolved)
}

/// Reads one request, politeness trimmed.
fn read(tokens: &[Token]) -> Intent {
    let t = clean(tokens);
    if t.is_empty() {
        return Intent::Unknown;
    }
    let rules: [Rule; 15] = [
        help,
        spending,
        running_low,
        recurring,
        expiring,
        all_lists,
        show_list,
        pantry_listing,
        check,
        tick_off,
        remove,
        consume,
        bought,
        add_to_list,
        implicit_add,
    ];
    rules
        .iter()
        .find_map(|rule| rule(t))
        .unwrap_or(Intent::Unknown)
}

/// The message without politeness at either end.
pub(super) fn clean(tokens: &[Token]) -> &[Token] {
    let mut t = tokens;
    loop {
        let next = trim_end(trim_start(t, POLITE_START), POLITE_END);
        if next.len() == t.len() {
            return t;
        }
        t = next;
    }
}

/// The subject and adverbs before a verb, skipped.
fn skip_subject(t: &[Token]) -> &[Token] {
    let t = after_any(t, SUBJECT).unwrap_or(t);
    trim_start(t, ADVERB)
}

/// Drops leading "the", "my", "our"…, which never name a list or item.
fn strip_articles(t: &[Token]) -> &[Token] {
    trim_start(t, ARTICLES)
}
