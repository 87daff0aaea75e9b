//! Splitting a message into tokens the grammar can match, while keeping what the user typed
//! (names keep their spelling and capitalisation; only matching is case-insensitive).

use crate::items::{Quantity, Unit};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A word (or a number glued to letters, such as `7up`).
    Word,
    /// A number, in thousandths (`1.5` is 1500).
    Number(i64),
    /// A comma or semicolon: it separates items.
    Comma,
}

/// One token of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// As typed (inner apostrophes kept), for names.
    pub raw: String,
    /// Lowercase, apostrophes removed, `&` and `+` spelled `and`: what the grammar matches,
    /// so "we're", "we’re" and "were" are the same token.
    pub norm: String,
    /// What it is.
    pub kind: Kind,
}

impl Token {
    /// A word token.
    fn word(raw: &str, norm: &str) -> Token {
        Token {
            raw: raw.to_string(),
            norm: norm.to_string(),
            kind: Kind::Word,
        }
    }

    /// Whether this is the word `w` (already normalised).
    pub fn is(&self, w: &str) -> bool {
        self.kind != Kind::Comma && self.norm == w
    }

    /// Whether this separates items: a comma, `and`, `&` or `plus`.
    pub fn is_separator(&self) -> bool {
        self.kind == Kind::Comma || self.is("and") || self.is("plus")
    }
}

/// Straight, curly and backtick apostrophes: phones type any of them.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ')
}

/// Splits `text` into tokens. Never fails: anything that is not a letter, digit, apostrophe
/// or inner hyphen separates words and is dropped (except commas, `&` and `+`).
pub(super) fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let after_digit = word.chars().last().is_some_and(|p| p.is_ascii_digit());
        let before_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() || is_apostrophe(c) || (c == '-' && !word.is_empty()) {
            word.push(c);
        } else if matches!(c, '.' | ',' | '/') && after_digit && before_digit {
            // "1.5", "1,5" and "1/2" stay one number.
            word.push(c);
        } else {
            flush(&mut word, &mut tokens);
            match c {
                ',' | ';' => tokens.push(Token {
                    raw: c.to_string(),
                    norm: ",".to_string(),
                    kind: Kind::Comma,
                }),
                '&' | '+' => tokens.push(Token::word(&c.to_string(), "and")),
                _ => {}
            }
        }
    }
    flush(&mut word, &mut tokens);
    tokens
}

/// Ends the word being built: trims quote-like apostrophes and hyphens at its edges, and
/// splits a number glued to a unit ("500g" → `500`, `g`).
fn flush(word: &mut String, tokens: &mut Vec<Token>) {
    let raw = word
        .trim_matches(|c: char| is_apostrophe(c) || c == '-')
        .to_string();
    word.clear();
    if raw.is_empty() {
        return;
    }
    let norm: String = raw
        .chars()
        .filter(|c| !is_apostrophe(*c))
        .flat_map(char::to_lowercase)
        .collect();
    if raw.starts_with(|c: char| c.is_ascii_digit()) {
        let split = raw
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '/')))
            .unwrap_or(raw.len());
        let (digits, suffix) = raw.split_at(split);
        if let Some(milli) = parse_number(digits) {
            let number = Token {
                raw: digits.to_string(),
                norm: digits.to_string(),
                kind: Kind::Number(milli),
            };
            let suffix_norm = suffix.to_lowercase();
            if suffix.is_empty() || suffix_norm == "x" {
                tokens.push(number);
                return;
            }
            if Unit::parse(&suffix_norm).is_some() {
                tokens.push(number);
                tokens.push(Token::word(suffix, &suffix_norm));
                return;
            }
        }
    }
    tokens.push(Token::word(&raw, &norm));
}

/// A number as thousandths: "2", "1.5", "1,5" (decimal comma), "1,500" (thousands), "1/2".
/// `None` when it is not an amount the pantry accepts.
fn parse_number(text: &str) -> Option<i64> {
    if let Some((top, bottom)) = text.split_once('/') {
        let top = i128::from(Quantity::parse(top).ok()?.milli());
        let bottom = i128::from(Quantity::parse(bottom).ok()?.milli());
        if bottom == 0 {
            return None;
        }
        let milli = i64::try_from((top * 1000 + bottom / 2) / bottom).ok()?;
        return Quantity::from_milli(milli).map(Quantity::milli);
    }
    let text = match text.split_once(',') {
        Some((whole, rest)) if rest.len() == 3 => format!("{whole}{rest}"),
        Some((whole, rest)) => format!("{whole}.{rest}"),
        None => text.to_string(),
    };
    Quantity::parse(&text).ok().map(Quantity::milli)
}

/// The tokens after the phrase `phrase` (space-separated, normalised words), if `tokens`
/// starts with it.
pub(super) fn after<'a>(tokens: &'a [Token], phrase: &str) -> Option<&'a [Token]> {
    let mut rest = tokens;
    for w in phrase.split_whitespace() {
        let (first, tail) = rest.split_first()?;
        if !first.is(w) {
            return None;
        }
        rest = tail;
    }
    Some(rest)
}

/// The tokens after the first of `phrases` that `tokens` starts with (list longer phrases
/// before their prefixes).
pub(super) fn after_any<'a>(tokens: &'a [Token], phrases: &[&str]) -> Option<&'a [Token]> {
    phrases.iter().find_map(|p| after(tokens, p))
}

/// The tokens before the phrase `phrase`, if `tokens` ends with it.
pub(super) fn before<'a>(tokens: &'a [Token], phrase: &str) -> Option<&'a [Token]> {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let start = tokens.len().checked_sub(words.len())?;
    let tail = &tokens[start..];
    tail.iter()
        .zip(&words)
        .all(|(t, w)| t.is(w))
        .then_some(&tokens[..start])
}

/// The tokens before the first of `phrases` that `tokens` ends with.
pub(super) fn before_any<'a>(tokens: &'a [Token], phrases: &[&str]) -> Option<&'a [Token]> {
    phrases.iter().find_map(|p| before(tokens, p))
}

/// Repeatedly removes leading `phrases` (and commas).
pub(super) fn trim_start<'a>(mut tokens: &'a [Token], phrases: &[&str]) -> &'a [Token] {
    loop {
        if let Some((first, rest)) = tokens.split_first()
            && first.kind == Kind::Comma
        {
            tokens = rest;
        } else if let Some(rest) = after_any(tokens, phrases).filter(|r| r.len() < tokens.len()) {
            tokens = rest;
        } else {
            return tokens;
        }
    }
}

/// Repeatedly removes trailing `phrases` (and commas).
pub(super) fn trim_end<'a>(mut tokens: &'a [Token], phrases: &[&str]) -> &'a [Token] {
    loop {
        if let Some((last, rest)) = tokens.split_last()
            && last.kind == Kind::Comma
        {
            tokens = rest;
        } else if let Some(rest) = before_any(tokens, phrases).filter(|r| r.len() < tokens.len()) {
            tokens = rest;
        } else {
            return tokens;
        }
    }
}

/// The words as typed, joined by single spaces (commas dropped).
pub(super) fn raw_text(tokens: &[Token]) -> String {
    tokens
        .iter()
        .filter(|t| t.kind != Kind::Comma)
        .map(|t| t.raw.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn apostrophes_and_units_are_normalised() {
        assert_eq!(norms("We’re out of 'eggs'!"), ["were", "out", "of", "eggs"]);
        assert_eq!(
            norms("500g rice, 1,5kg & 2x"),
            ["500", "g", "rice", ",", "1,5", "kg", "and", "2"]
        );
        assert_eq!(tokenize("1,5")[0].kind, Kind::Number(1500));
        assert_eq!(tokenize("1/2")[0].kind, Kind::Number(500));
        assert_eq!(tokenize("7up")[0].kind, Kind::Word);
        assert_eq!(tokenize("1/0")[0].kind, Kind::Word);
    }
}
