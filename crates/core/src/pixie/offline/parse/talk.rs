//! Small talk: greetings, thanks, farewells, acknowledgements and asking for help, each
//! recognised only as a whole message.

use super::Intent;
use crate::pixie::offline::text::{Kind, Token, after, trim_end, trim_start};

/// Whether every word is in `vocabulary` and at least one is in `needed`: small talk is only
/// recognised as a whole message, so "hi, add eggs" still adds eggs.
pub(super) fn only_words(tokens: &[Token], vocabulary: &[&str], needed: &[&str]) -> bool {
    let words: Vec<&Token> = tokens.iter().filter(|t| t.kind != Kind::Comma).collect();
    !words.is_empty()
        && words.iter().all(|t| vocabulary.iter().any(|w| t.is(w)))
        && words.iter().any(|t| needed.iter().any(|w| t.is(w)))
}

/// "hi", "hello pixie", "good morning", "how are you".
pub(super) fn is_greeting(tokens: &[Token]) -> bool {
    const GREETINGS: &[&str] = &[
        "hi",
        "hello",
        "hey",
        "hiya",
        "heya",
        "howdy",
        "yo",
        "greetings",
        "morning",
        "pixie",
        "evening",
        "afternoon",
    ];
    const OTHERS: &[&str] = &[
        "there", "good", "you", "again", "oh", "ok", "okay", "dear", "how", "are", "hows", "it",
        "going", "whats", "up", "sup", "doing", "day", "your", "today", "is",
    ];
    let vocabulary: Vec<&str> = GREETINGS.iter().chain(OTHERS).copied().collect();
    // "how are you", "what's up": small talk opens like a greeting.
    let needed: Vec<&str> = GREETINGS
        .iter()
        .chain(&["how", "hows", "up", "sup"])
        .copied()
        .collect();
    only_words(tokens, &vocabulary, &needed)
}

/// "thanks", "thank you so much, Pixie!", "cheers".
pub(super) fn is_thanks(tokens: &[Token]) -> bool {
    const THANKS: &[&str] = &[
        "thanks",
        "thank",
        "thx",
        "ty",
        "cheers",
        "ta",
        "appreciated",
        "appreciate",
        "thankyou",
    ];
    const OTHERS: &[&str] = &[
        "you",
        "pixie",
        "so",
        "much",
        "very",
        "a",
        "lot",
        "great",
        "perfect",
        "awesome",
        "lovely",
        "brilliant",
        "ok",
        "okay",
        "cool",
        "nice",
        "many",
        "it",
        "that",
        "thats",
        "helps",
        "love",
        "youre",
        "the",
        "best",
        "again",
        "oh",
        "wonderful",
        "amazing",
        "done",
        "super",
        "fab",
        "fantastic",
        "good",
        "all",
        "for",
        "help",
        "your",
    ];
    let vocabulary: Vec<&str> = THANKS.iter().chain(OTHERS).copied().collect();
    only_words(tokens, &vocabulary, THANKS)
}

/// Farewells and acknowledgements, as whole messages.
pub(super) fn small_talk(tokens: &[Token]) -> Option<Intent> {
    const FAREWELLS: &[&str] = &[
        "bye",
        "goodbye",
        "good bye",
        "bye bye",
        "good night",
        "goodnight",
        "night",
        "see you",
        "see you later",
        "see ya",
        "cya",
        "later",
        "talk later",
        "ttyl",
    ];
    const ACKS: &[&str] = &[
        "ok",
        "okay",
        "k",
        "kk",
        "cool",
        "great",
        "nice",
        "no thanks",
        "no thank you",
        "nope",
        "no",
        "yes",
        "yeah",
        "yep",
        "sure",
        "all good",
        "thats all",
        "thats it",
        "never mind",
        "nevermind",
        "nvm",
        "fine",
        "got it",
        "lol",
        "haha",
        "cool",
        "alright",
        "perfect",
        "sounds good",
        "good job",
        "well done",
        "lovely",
        "brilliant",
        "amazing",
        "awesome",
        "nice one",
        "good",
        "excellent",
        "wonderful",
        "i love you",
        "love you",
        "nothing",
        "nothing else",
    ];
    let t = trim_end(
        trim_start(tokens, &["oh", "ok", "okay", "pixie"]),
        &["pixie", "then"],
    );
    if t.is_empty() {
        return (!tokens.is_empty()).then_some(Intent::Acknowledged);
    }
    let whole = |phrases: &[&str]| {
        phrases
            .iter()
            .any(|p| after(t, p).is_some_and(<[Token]>::is_empty))
    };
    if whole(FAREWELLS) {
        return Some(Intent::Farewell);
    }
    whole(ACKS).then_some(Intent::Acknowledged)
}

/// "help", "what can you do".
pub(super) fn help(t: &[Token]) -> Option<Intent> {
    const HELP: &[&str] = &[
        "help",
        "help me",
        "i need help",
        "what can you do",
        "what can you help with",
        "what can you help me with",
        "what do you do",
        "what can i say",
        "what can i ask",
        "what can i ask you",
        "how does this work",
        "how do i use this",
        "how do you work",
        "commands",
        "what commands",
        "what do you understand",
        "what can you understand",
        "options",
        "menu",
        "what are you",
        "who are you",
    ];
    HELP.iter()
        .any(|p| after(t, p).is_some_and(<[Token]>::is_empty))
        .then_some(Intent::Help)
}
