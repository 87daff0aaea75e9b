//! Where a request points: a grocery list (by name) or the pantry.

use super::{ACTIONS, ARTICLES, LIST_WORDS, PANTRY_WORDS, PREPOSITIONS, strip_articles};
use crate::pixie::offline::text::{Kind, Token, after_any, raw_text};

/// Where a request points: a grocery list (maybe named) or the pantry.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Target {
    List(Option<String>),
    Pantry,
}

/// Finds where a request points: the rightmost "to/on/in/from/off … list|pantry" tail.
/// Returns the tokens before it and the target.
pub(super) fn split_target(t: &[Token]) -> (&[Token], Option<Target>) {
    for p in (0..t.len()).rev() {
        if PREPOSITIONS.iter().any(|w| t[p].is(w))
            && let Some(target) = target(&t[p + 1..])
        {
            return (&t[..p], Some(target));
        }
    }
    (t, None)
}

/// Reads "the weekend list", "my Party shopping list", "the list called Party", "the pantry".
pub(super) fn target(t: &[Token]) -> Option<Target> {
    let t = strip_articles(t);
    if let [only] = t
        && PANTRY_WORDS.iter().any(|w| only.is(w))
    {
        return Some(Target::Pantry);
    }
    for (i, tok) in t.iter().enumerate() {
        if (tok.is("list") || tok.is("lists"))
            && let Some(name) = t
                .get(i + 1..)
                .and_then(|r| after_any(r, &["called", "named", "for"]))
        {
            let name = raw_text(strip_articles(name));
            return Some(Target::List((!name.is_empty()).then_some(name)));
        }
    }
    let ends_with_list = t.last().is_some_and(|l| LIST_WORDS.iter().any(|w| l.is(w)));
    if !ends_with_list {
        return None;
    }
    let name: Vec<Token> = t
        .iter()
        .filter(|tok| !LIST_WORDS.iter().chain(ARTICLES).any(|w| tok.is(w)))
        .cloned()
        .collect();
    // A long tail, or one with a verb or preposition in it, is a sentence, not a list name.
    let sentence = name.iter().any(|tok| {
        PREPOSITIONS.iter().chain(ACTIONS).any(|w| tok.is(w)) || tok.kind == Kind::Comma
    });
    if name.len() > 4 || sentence {
        return None;
    }
    let name = raw_text(&name);
    Some(Target::List((!name.is_empty()).then_some(name)))
}

/// "add eggs to Quick Items": a capitalised name after a final "to" is a list even without
/// the word "list" (lowercase is left alone, so "add salt to taste" stays an item).
pub(super) fn split_named_list(t: &[Token]) -> Option<(&[Token], String)> {
    let p = t.iter().rposition(|w| w.is("to") || w.is("onto"))?;
    let name = strip_articles(t.get(p + 1..)?);
    let plain = name.iter().all(|w| {
        w.kind == Kind::Word
            && !w.is_separator()
            && !PREPOSITIONS.iter().chain(ACTIONS).any(|a| w.is(a))
    });
    let capitalised = name
        .first()
        .is_some_and(|w| w.raw.starts_with(char::is_uppercase));
    (p > 0 && (1..=3).contains(&name.len()) && plain && capitalised)
        .then(|| (&t[..p], raw_text(name)))
}
