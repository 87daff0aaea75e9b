//! Requests about the pantry: what's there or expiring, do we have X, bought, used, out
//! of, and removing.

use super::target::{Target, split_target};
use super::{ACTIONS, Intent, PANTRY_WORDS, Verb, skip_subject, strip_articles};
use crate::items::Category;
use crate::pixie::offline::quantity::{parse_items, parse_names};
use crate::pixie::offline::text::{Kind, Token, after, after_any, before_any, raw_text, trim_end};

/// "what's expiring?", "what goes off soon": within 7 days, or 30 when a month is mentioned.
pub(super) fn expiring(t: &[Token]) -> Option<Intent> {
    const PHRASES: &[&str] = &[
        "going off",
        "goes off",
        "go off",
        "going bad",
        "go bad",
        "goes bad",
        "use by",
        "best before",
        "use up first",
        "use first",
    ];
    if t.first().is_some_and(|f| ACTIONS.iter().any(|w| f.is(w))) {
        return None;
    }
    let expires = t
        .iter()
        .any(|w| w.norm.starts_with("expir") || w.is("spoil") || w.is("spoiling"));
    let phrase = (0..t.len()).any(|i| after_any(&t[i..], PHRASES).is_some());
    let days = if t.iter().any(|w| w.is("month")) {
        30
    } else {
        7
    };
    (expires || phrase).then_some(Intent::ListItems {
        search: None,
        category: None,
        expiring: Some(days),
    })
}

/// "what's in the pantry", "what do we have", "what snacks do we have" (a category or a
/// search), "what's in the freezer" (frozen).
pub(super) fn pantry_listing(t: &[Token]) -> Option<Intent> {
    const WHOLE: &[&str] = &[
        "what do we have",
        "what do i have",
        "what have we got",
        "what have i got",
        "what do we have at home",
        "what do we have left",
        "what have we got left",
        "what is there",
        "whats there",
        "whats in stock",
        "what is in stock",
        "show everything",
        "show me everything",
        "list everything",
        "list items",
        "show items",
        "show all items",
        "list all items",
        "everything",
        "what food do we have",
        "what is left",
        "whats left",
    ];
    const OPENERS: &[&str] = &[
        "what do we have in",
        "what do i have in",
        "what have we got in",
        "whats left in",
        "what is left in",
        "whats in",
        "what is in",
        "whats inside",
        "show me",
        "show",
        "list",
        "open",
        "view",
        "check",
    ];
    let all = || Intent::ListItems {
        search: None,
        category: None,
        expiring: None,
    };
    if WHOLE
        .iter()
        .any(|p| after(t, p).is_some_and(<[Token]>::is_empty))
    {
        return Some(all());
    }
    if let Some(rest) = after_any(t, OPENERS) {
        let rest = strip_articles(rest);
        if let [only] = rest {
            if only.is("freezer") {
                return Some(Intent::ListItems {
                    search: None,
                    category: Some(Category::Frozen),
                    expiring: None,
                });
            }
            if PANTRY_WORDS
                .iter()
                .chain(&["everything", "items", "all", "stuff"])
                .any(|w| only.is(w))
            {
                return Some(all());
            }
        }
    }
    if let [only] = strip_articles(t)
        && (only.is("pantry") || only.is("inventory"))
    {
        return Some(all());
    }
    // "what cheese do we have", "what snacks have we got left"
    let what = after(t, "what")?;
    let rest = before_any(
        trim_end(what, &["left", "at home", "in the pantry", "in stock"]),
        &["do we have", "do i have", "have we got", "have i got"],
    )?;
    let rest = strip_articles(rest);
    if rest.is_empty() {
        return Some(all());
    }
    let text = raw_text(rest);
    let category = category_for(&text.to_lowercase());
    Some(Intent::ListItems {
        search: category.is_none().then_some(text),
        category,
        expiring: None,
    })
}

/// A category named in everyday words ("fruit", "drinks") or its own spelling.
pub(super) fn category_for(text: &str) -> Option<Category> {
    Some(match text {
        "fruit" | "fruits" | "veg" | "veggies" | "vegetables" | "fruit and veg" => {
            Category::Produce
        }
        "drinks" | "drink" => Category::Beverages,
        "sweets" | "snack" | "treats" => Category::Snacks,
        "sauces" | "sauce" | "condiment" => Category::Condiments,
        "spice" | "herbs" | "herbs and spices" => Category::Spices,
        "fish" | "meat and fish" => Category::Meat,
        "frozen food" | "frozen stuff" => Category::Frozen,
        "baking stuff" | "baking things" => Category::Baking,
        other => return Category::parse(other),
    })
}

/// "do we have eggs?", "any eggs left?", "how much rice do we have": one check per item.
pub(super) fn check(t: &[Token]) -> Option<Intent> {
    const OPENERS: &[&str] = &[
        "do we still have any",
        "do we still have",
        "do we have any",
        "do we have enough",
        "do we have",
        "do i still have any",
        "do i still have",
        "do i have any",
        "do i have",
        "have we still got any",
        "have we got any",
        "have we got",
        "have i got any",
        "have i got",
        "have we any",
        "is there still any",
        "is there any",
        "is there enough",
        "is there",
        "are there still any",
        "are there any",
        "are there",
        "got any",
        "are we out of",
        "are we low on",
        "are we running low on",
        "are we running out of",
        "am i out of",
        "did we run out of",
        "have we run out of",
        "have we used up",
        "check if we have any",
        "check if we have",
        "check whether we have",
        "check if there is any",
        "check if there is",
        "check if theres any",
        "check if theres",
        "check the pantry for",
        "check pantry for",
        "check for",
        "check",
        "look for",
        "any",
        "how much",
        "how many",
        "we have any",
        "we got any",
        "do we need any",
        "do we need more",
        "do we need",
        "if we have any",
        "if we have",
        "if we still have",
        "whether we have",
        "if there is any",
        "if there is",
        "if theres any",
        "if theres",
        "where are",
        "where is",
        "wheres",
        "where did i put",
        "where do we keep",
    ];
    const TRAIL: &[&str] = &[
        "do we have left",
        "do we have",
        "do i have left",
        "do i have",
        "have we got left",
        "have we got",
        "have i got",
        "is left",
        "are left",
        "is there",
        "are there",
        "do we still have",
        "is there left",
        "are there left",
        "left",
        "at home",
        "still",
        "in stock",
        "at all",
        "anywhere",
        "remaining",
    ];
    if t.first().is_some_and(|f| f.is("check")) && t.iter().any(|w| w.is("off")) {
        return None;
    }
    let rest = after_any(t, OPENERS)?;
    let rest = trim_end(rest, TRAIL);
    // "is there a weekend list": a question about lists.
    if rest.last().is_some_and(|w| w.is("list") || w.is("lists")) {
        return Some(Intent::ListLists);
    }
    let (rest, _) = split_target(rest);
    let rest = trim_end(rest, TRAIL);
    let names = parse_names(rest);
    Some(if names.is_empty() {
        Intent::Incomplete(Verb::Check)
    } else {
        Intent::Check(names)
    })
}

/// "remove eggs from the pantry", "delete the old yoghurt", "throw out the bread".
pub(super) fn remove(t: &[Token]) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "get rid of",
        "got rid of",
        "throw out",
        "throw away",
        "threw out",
        "threw away",
        "take out",
        "remove",
        "removed",
        "delete",
        "deleted",
        "bin",
        "binned",
        "discard",
        "discarded",
        "toss",
        "tossed",
        "erase",
        "throw",
        "threw",
    ];
    let rest = after_any(skip_subject(t), VERBS)?;
    let (rest, target) = split_target(rest);
    if matches!(target, Some(Target::List(_))) {
        return Some(Intent::RemoveFromList);
    }
    let rest = trim_end(rest, &["away", "out", "please"]);
    let items = parse_items(rest);
    // "remove 2 eggs" takes some away rather than deleting the item.
    if !items.is_empty() && items.iter().all(|i| i.quantity.is_some()) {
        return Some(Intent::Consume { items, all: false });
    }
    Some(if items.is_empty() {
        Intent::Incomplete(Verb::Remove)
    } else {
        Intent::Remove(items.into_iter().map(|i| i.name).collect())
    })
}

/// "we're out of eggs", "used up the milk", "the bread ran out" (all of it), or "used 2 eggs"
/// (some).
pub(super) fn consume(t: &[Token]) -> Option<Intent> {
    const ALL: &[&str] = &[
        "used the last of",
        "ate the last of",
        "had the last of",
        "drank the last of",
        "finished the last of",
        "all out of",
        "out of",
        "are out of",
        "are all out of",
        "am out of",
        "is out of",
        "ran out of",
        "run out of",
        "running out of",
        "used up all of",
        "used up all",
        "used up",
        "use up all",
        "use up",
        "used all of",
        "used all",
        "finished off",
        "finished up",
        "finished all of",
        "finished all",
        "finished",
        "no more",
        "dont have any more",
        "dont have any",
        "have no more",
        "have no",
        "ate all of",
        "ate all",
        "drank all of",
        "drank all",
        "polished off",
        "emptied",
    ];
    const SOME: &[&str] = &[
        "used",
        "use",
        "ate",
        "eaten",
        "drank",
        "drunk",
        "cooked with",
        "cooked",
        "baked with",
        "consumed",
        "had",
        "took",
        "opened",
    ];
    const GONE: &[&str] = &[
        "went bad",
        "went off",
        "has gone off",
        "has gone bad",
        "have gone off",
        "have gone bad",
        "is all gone",
        "are all gone",
        "is gone",
        "are gone",
        "all gone",
        "is finished",
        "are finished",
        "is used up",
        "are used up",
        "ran out",
        "has run out",
        "have run out",
        "is empty",
        "are empty",
        "is out",
        "are out",
        "is all used",
        "are all used",
    ];
    let s = skip_subject(t);
    // "running out of" warns ahead (it goes on the list instead); "use up the chicken" is
    // advice, not news.
    if after_any(s, &["running out of", "use up"]).is_some() {
        return None;
    }
    let found = match after_any(s, ALL) {
        Some(rest) => Some((rest, true)),
        None => match before_any(t, GONE) {
            Some(rest) => Some((rest, true)),
            None => after_any(s, SOME).map(|rest| (rest, false)),
        },
    };
    let (rest, all) = found?;
    // "I used to live…" is not using anything; "I had a great day" is not eating it, so "had"
    // needs a number ("had 2 eggs").
    if after(s, "used to").is_some()
        || (s.first().is_some_and(|w| w.is("had")) && !starts_with_number(rest))
    {
        return None;
    }
    let (rest, _) = split_target(rest);
    let items = parse_items(rest);
    Some(if items.is_empty() {
        Intent::Incomplete(Verb::Consume)
    } else {
        Intent::Consume { items, all }
    })
}

/// "I bought 500 g rice", "picked up a dozen eggs", "got the milk" (got alone means bought).
pub(super) fn bought(t: &[Token]) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "bought",
        "got",
        "picked up",
        "purchased",
        "grabbed",
        "brought home",
        "brought",
        "stocked up on",
        "stocked up",
        "restocked",
        "received",
        "collected",
    ];
    let rest = after_any(skip_subject(t), VERBS)?;
    let (rest, _) = split_target(rest);
    let items = parse_items(rest);
    Some(if items.is_empty() {
        Intent::Incomplete(Verb::Bought)
    } else {
        Intent::Bought(items)
    })
}

/// Whether the words start with a number ("2", "two").
fn starts_with_number(t: &[Token]) -> bool {
    const WORDS: &[&str] = &[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "half",
    ];
    t.first()
        .is_some_and(|w| matches!(w.kind, Kind::Number(_)) || WORDS.iter().any(|n| w.is(n)))
}
