//! Requests about grocery lists: adding, showing, ticking off, and items bought regularly.

use super::target::{Target, split_named_list, split_target, target};
use super::{Intent, Interval, Verb, skip_subject, strip_articles};
use crate::pixie::offline::quantity::{parse_items, parse_names};
use crate::pixie::offline::text::{Kind, Token, after, after_any, raw_text, trim_end, trim_start};

/// How often, if a schedule phrase starts at token `i` ("every week", "fortnightly",
/// "every saturday"), and how many tokens it takes.
fn interval_at(t: &[Token], i: usize) -> Option<(Interval, usize)> {
    const PHRASES: &[(&str, Interval)] = &[
        ("every two weeks", Interval::Biweekly),
        ("every 2 weeks", Interval::Biweekly),
        ("every other week", Interval::Biweekly),
        ("every second week", Interval::Biweekly),
        ("every fortnight", Interval::Biweekly),
        ("once a fortnight", Interval::Biweekly),
        ("twice a month", Interval::Biweekly),
        ("fortnightly", Interval::Biweekly),
        ("biweekly", Interval::Biweekly),
        ("bi-weekly", Interval::Biweekly),
        ("every day", Interval::Daily),
        ("each day", Interval::Daily),
        ("once a day", Interval::Daily),
        ("every morning", Interval::Daily),
        ("everyday", Interval::Daily),
        ("daily", Interval::Daily),
        ("every week", Interval::Weekly),
        ("each week", Interval::Weekly),
        ("once a week", Interval::Weekly),
        ("weekly", Interval::Weekly),
        ("every month", Interval::Monthly),
        ("each month", Interval::Monthly),
        ("once a month", Interval::Monthly),
        ("monthly", Interval::Monthly),
    ];
    const WEEKDAYS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let rest = t.get(i..)?;
    if let Some((interval, after_phrase)) = PHRASES
        .iter()
        .find_map(|(p, interval)| after(rest, p).map(|r| (*interval, r)))
    {
        return Some((interval, rest.len() - after_phrase.len()));
    }
    if let Some(r) = after_any(rest, &["every", "each"])
        && r.first().is_some_and(|d| WEEKDAYS.iter().any(|w| d.is(w)))
    {
        return Some((Interval::Weekly, 2));
    }
    None
}

/// "buy milk every week", "make coffee recurring monthly". Runs first, so the schedule words
/// are not read as part of an item; "stop buying…" and questions are left alone.
pub(super) fn recurring(t: &[Token]) -> Option<Intent> {
    const QUESTIONS: &[&str] = &[
        "what", "whats", "which", "show", "do", "how", "when", "is", "are",
    ];
    const LEAD: &[&str] = &[
        "set up", "set", "make", "mark", "buy", "get", "add", "order", "repeat", "put", "have",
        "to",
    ];
    const TRAIL: &[&str] = &[
        "on repeat",
        "recurring",
        "repeating",
        "repeat",
        "item",
        "items",
        "purchase",
        "order",
        "buy",
        "to",
        "as",
        "a",
        "an",
        "be",
        "on",
        "regular",
        "regularly",
        "automatically",
    ];
    const STOP: &[&str] = &[
        "stop", "dont", "not", "no", "cancel", "never", "unset", "longer",
    ];
    if t.first().is_some_and(|f| QUESTIONS.iter().any(|w| f.is(w)))
        || t.iter().any(|w| STOP.iter().any(|s| w.is(s)))
    {
        return None;
    }
    let asks_to_repeat = t
        .first()
        .is_some_and(|f| ["make", "set", "mark"].iter().any(|w| f.is(w)))
        && t.iter().any(|w| {
            ["recurring", "repeat", "repeating", "regular"]
                .iter()
                .any(|r| w.is(r))
        });
    let Some((at, interval, len)) = (0..t.len()).find_map(|i| {
        let (interval, len) = interval_at(t, i)?;
        // "the weekly list" names a list, not a schedule.
        let next = t.get(i + len);
        let names_list = next.is_some_and(|n| ["list", "shop", "shopping"].iter().any(|w| n.is(w)));
        (!names_list).then_some((i, interval, len))
    }) else {
        return asks_to_repeat.then_some(Intent::Incomplete(Verb::Interval));
    };
    let mut rest: Vec<Token> = t[..at].to_vec();
    rest.extend_from_slice(&t[at + len..]);
    let rest = trim_start(skip_subject(&rest), LEAD);
    let (rest, _) = split_target(rest);
    let rest = trim_end(rest, TRAIL);
    let names = parse_names(rest);
    Some(if names.is_empty() {
        Intent::Incomplete(Verb::Recurring)
    } else {
        Intent::Recurring { names, interval }
    })
}

/// "show my lists", "what lists do we have": the word "lists" after a show/question word.
pub(super) fn all_lists(t: &[Token]) -> Option<Intent> {
    const OPENERS: &[&str] = &[
        "show", "what", "whats", "which", "my", "our", "list", "all", "see", "view", "open",
        "display", "lists", "how", "get", "the", "any", "do", "have", "can",
    ];
    let opens = t.first().is_some_and(|f| OPENERS.iter().any(|w| f.is(w)));
    (opens && t.iter().any(|w| w.is("lists"))).then_some(Intent::ListLists)
}

/// "show the weekend list", "what's on my shopping list", "what do we need".
pub(super) fn show_list(t: &[Token]) -> Option<Intent> {
    const OPENERS: &[&str] = &[
        "show me whats on",
        "show me what is on",
        "show me",
        "show",
        "open up",
        "open",
        "view",
        "display",
        "let me see",
        "see",
        "pull up",
        "bring up",
        "read me",
        "read out",
        "read",
        "check",
        "whats on",
        "what is on",
        "whats left on",
        "what is left on",
        "what else is on",
        "what do we have on",
        "what have we got on",
        "whats in",
        "what is in",
        "go to",
    ];
    const NEED: &[&str] = &[
        "what do we need",
        "what do i need",
        "what do we need to buy",
        "what do i need to buy",
        "what do we need to get",
        "what should i buy",
        "what should we buy",
    ];
    if let Some(rest) = after_any(t, NEED) {
        match (rest.is_empty(), split_target(rest)) {
            (true, _) => return Some(Intent::ShowList(None)),
            (false, ([], Some(Target::List(name)))) => return Some(Intent::ShowList(name)),
            _ => {}
        }
    }
    // "is milk on the list?", "is there anything on the weekend list?"
    if t.first().is_some_and(|f| f.is("is") || f.is("are"))
        && let (_, Some(Target::List(name))) = split_target(t)
    {
        return Some(Intent::ShowList(name));
    }
    let rest = after_any(t, OPENERS).unwrap_or(t);
    // "show list Weekend"
    if rest.len() < t.len()
        && let Some(name) = after(rest, "list").filter(|n| (1..=3).contains(&n.len()))
        && name
            .iter()
            .all(|w| w.kind == Kind::Word && !w.is_separator())
    {
        return Some(Intent::ShowList(Some(raw_text(name))));
    }
    // Without an opener only "the weekend list" or "shopping list" is a request to show it.
    let bare = rest.len() == t.len();
    let plain = t.first().is_some_and(|f| {
        ["the", "my", "our", "shopping", "grocery"]
            .iter()
            .any(|w| f.is(w))
    });
    if bare && (strip_articles(t).len() > 3 || !plain) {
        return None;
    }
    match target(rest) {
        Some(Target::List(name)) => Some(Intent::ShowList(name)),
        _ => None,
    }
}

/// "tick off milk", "cross milk off the list", "mark milk as bought". "check" only counts with
/// "off" or "as", so "check if we have eggs" stays a question.
pub(super) fn tick_off(t: &[Token]) -> Option<Intent> {
    const VERBS: &[&str] = &["tick", "check", "cross", "strike", "scratch", "mark"];
    const DONE: &[&str] = &[
        "as done",
        "as bought",
        "as got",
        "as checked",
        "as complete",
        "as completed",
        "as purchased",
        "as ticked",
        "as ticked off",
        "done",
        "bought",
        "checked",
        "complete",
        "completed",
        "purchased",
        "ticked",
        "off",
    ];
    let (verb, rest) = t.split_first()?;
    if !VERBS.iter().any(|w| verb.is(w)) {
        return None;
    }
    if (verb.is("check") || verb.is("mark")) && !rest.iter().any(|w| w.is("off") || w.is("as")) {
        return None;
    }
    let rest = after(rest, "off").unwrap_or(rest);
    let (rest, target) = split_target(rest);
    let rest = trim_end(rest, DONE);
    let list = match target {
        Some(Target::List(name)) => name,
        _ => None,
    };
    let names = parse_names(rest);
    Some(if names.is_empty() {
        Intent::Incomplete(Verb::TickOff)
    } else {
        Intent::CheckOff { names, list }
    })
}

/// "add 2 milk and bread to the list", "we need eggs", "put eggs on the Party list"; a pantry
/// target ("add 3 apples to the pantry") means bought instead.
pub(super) fn add_to_list(t: &[Token]) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "add",
        "almost out of",
        "nearly out of",
        "are almost out of",
        "are nearly out of",
        "put",
        "pop",
        "stick",
        "throw",
        "buy",
        "get",
        "pick up",
        "grab",
        "order",
        "need to buy",
        "need to get",
        "need",
        "want",
        "would like",
        "like",
        "remember to buy",
        "remember to get",
        "remember",
        "dont forget to buy",
        "dont forget to get",
        "dont forget",
        "note",
        "write down",
        "jot down",
        "are low on",
        "are running low on",
        "running low on",
        "are running out of",
        "running out of",
        "low on",
        "could use",
        "could do with",
        "should buy",
        "should get",
        "must buy",
        "gotta get",
        "have to buy",
        "have to get",
        "also need",
        "still need",
    ];
    let rest = after_any(skip_subject(t), VERBS)?;
    let rest = trim_start(rest, &["down", "me", "us", "for me", "for us"]);
    let (before, target, after_target) = match split_target(rest) {
        (before, Some(target)) => (before, Some(target), &[][..]),
        (_, None) => match split_inner_list(rest) {
            Some(found) => found,
            None => match split_named_list(rest) {
                Some((items, name)) => (items, Some(Target::List(Some(name))), &[][..]),
                None => (rest, None, &[][..]),
            },
        },
    };
    let mut items = parse_items(before);
    items.extend(parse_items(after_target));
    if items.is_empty() {
        return Some(Intent::Incomplete(Verb::Add));
    }
    Some(match target {
        Some(Target::Pantry) => Intent::Bought(items),
        Some(Target::List(list)) => Intent::AddToList { items, list },
        None => Intent::AddToList { items, list: None },
    })
}

/// "milk and eggs on the list": no verb, but a list target.
pub(super) fn implicit_add(t: &[Token]) -> Option<Intent> {
    const QUESTIONS: &[&str] = &[
        "what", "whats", "which", "who", "how", "why", "where", "when", "is", "are", "do", "does",
    ];
    if t.first().is_some_and(|f| QUESTIONS.iter().any(|w| f.is(w))) {
        return None;
    }
    let (rest, target) = split_target(t);
    let Some(Target::List(list)) = target else {
        return None;
    };
    let items = parse_items(rest);
    (!items.is_empty()).then_some(Intent::AddToList { items, list })
}

/// "add milk to the list and eggs": a list target in the middle, more items after it.
fn split_inner_list(t: &[Token]) -> Option<(&[Token], Option<Target>, &[Token])> {
    let end = t
        .iter()
        .position(|w| w.is("list"))
        .filter(|&k| t.get(k + 1).is_some_and(Token::is_separator))?;
    match split_target(&t[..=end]) {
        (before, Some(target)) => Some((before, Some(target), &t[end + 2..])),
        _ => None,
    }
}
