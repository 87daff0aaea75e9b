//! The grammar: what a message asks for.
//!
//! Matching is on whole, normalised words (so "address" is never "add" and "this" is never
//! "hi"), after politeness ("please", "pixie,", "can you") is trimmed from both ends. The
//! kinds of request are tried in a fixed order, most specific first; the first that fits
//! wins. One request per message: "add milk and we're out of eggs" is not split.

use super::quantity::{ItemPhrase, parse_items, parse_names};
use super::text::{
    Kind, Token, after, after_any, before_any, raw_text, tokenize, trim_end, trim_start,
};
use crate::items::Category;

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
        /// Only what expires within a week.
        expiring: bool,
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
    /// "remove eggs from the list": no tool deletes list entries, so it is explained.
    RemoveFromList,
    /// A known request that names nothing.
    Incomplete(Verb),
    /// Nothing recognised.
    Unknown,
}

/// Where a request points: a grocery list (maybe named) or the pantry.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    List(Option<String>),
    Pantry,
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
    let t = clean(&all);
    if t.is_empty() {
        return Intent::Unknown;
    }
    let rules: [Rule; 13] = [
        help,
        recurring,
        expiring,
        lists,
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

fn only_words(tokens: &[Token], vocabulary: &[&str], needed: &[&str]) -> bool {
    let words: Vec<&Token> = tokens.iter().filter(|t| t.kind != Kind::Comma).collect();
    !words.is_empty()
        && words.iter().all(|t| vocabulary.iter().any(|w| t.is(w)))
        && words.iter().any(|t| needed.iter().any(|w| t.is(w)))
}

fn is_greeting(tokens: &[Token]) -> bool {
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

fn is_thanks(tokens: &[Token]) -> bool {
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
fn small_talk(tokens: &[Token]) -> Option<Intent> {
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

fn help(t: &[Token]) -> Option<Intent> {
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

/// The subject and adverbs before a verb, skipped.
fn skip_subject(t: &[Token]) -> &[Token] {
    let t = after_any(t, SUBJECT).unwrap_or(t);
    trim_start(t, ADVERB)
}

fn strip_articles(t: &[Token]) -> &[Token] {
    trim_start(t, ARTICLES)
}

/// Finds where a request points: the rightmost "to/on/in/from/off … list|pantry" tail.
/// Returns the tokens before it and the target.
fn split_target(t: &[Token]) -> (&[Token], Option<Target>) {
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
fn target(t: &[Token]) -> Option<Target> {
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

fn recurring(t: &[Token]) -> Option<Intent> {
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
    if t.first().is_some_and(|f| QUESTIONS.iter().any(|w| f.is(w))) {
        return None;
    }
    let (at, interval, len) = (0..t.len()).find_map(|i| {
        let (interval, len) = interval_at(t, i)?;
        // "the weekly list" names a list, not a schedule.
        let next = t.get(i + len);
        let names_list = next.is_some_and(|n| ["list", "shop", "shopping"].iter().any(|w| n.is(w)));
        (!names_list).then_some((i, interval, len))
    })?;
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

fn expiring(t: &[Token]) -> Option<Intent> {
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
    (expires || phrase).then_some(Intent::ListItems {
        search: None,
        category: None,
        expiring: true,
    })
}

fn lists(t: &[Token]) -> Option<Intent> {
    const OPENERS: &[&str] = &[
        "show", "what", "whats", "which", "my", "our", "list", "all", "see", "view", "open",
        "display", "lists", "how", "get", "the", "any", "do", "have", "can",
    ];
    let opens = t.first().is_some_and(|f| OPENERS.iter().any(|w| f.is(w)));
    (opens && t.iter().any(|w| w.is("lists"))).then_some(Intent::ListLists)
}

fn show_list(t: &[Token]) -> Option<Intent> {
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
    let rest = after_any(t, OPENERS).unwrap_or(t);
    let bare = rest.len() == t.len();
    if bare && strip_articles(t).len() > 3 {
        return None;
    }
    match target(rest) {
        Some(Target::List(name)) => Some(Intent::ShowList(name)),
        _ => None,
    }
}

fn pantry_listing(t: &[Token]) -> Option<Intent> {
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
        expiring: false,
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
                    expiring: false,
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
        expiring: false,
    })
}

/// A category named in everyday words ("fruit", "drinks") or its own spelling.
fn category_for(text: &str) -> Option<Category> {
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

fn check(t: &[Token]) -> Option<Intent> {
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
    let (rest, _) = split_target(rest);
    let rest = trim_end(rest, TRAIL);
    let names = parse_names(rest);
    Some(if names.is_empty() {
        Intent::Incomplete(Verb::Check)
    } else {
        Intent::Check(names)
    })
}

fn tick_off(t: &[Token]) -> Option<Intent> {
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

fn remove(t: &[Token]) -> Option<Intent> {
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
    let names = parse_names(rest);
    Some(if names.is_empty() {
        Intent::Incomplete(Verb::Remove)
    } else {
        Intent::Remove(names)
    })
}

fn consume(t: &[Token]) -> Option<Intent> {
    const ALL: &[&str] = &[
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
    // "running out of" warns ahead: it goes on the list instead.
    if after(s, "running out of").is_some() {
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
    let (rest, _) = split_target(rest);
    let items = parse_items(rest);
    Some(if items.is_empty() {
        Intent::Incomplete(Verb::Consume)
    } else {
        Intent::Consume { items, all }
    })
}

fn bought(t: &[Token]) -> Option<Intent> {
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

fn add_to_list(t: &[Token]) -> Option<Intent> {
    const VERBS: &[&str] = &[
        "add",
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
    let rest = trim_start(rest, &["down"]);
    let (rest, target) = split_target(rest);
    let items = parse_items(rest);
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
fn implicit_add(t: &[Token]) -> Option<Intent> {
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
