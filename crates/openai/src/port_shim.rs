//! A stop-gap for a lifetime bug in the core port, to be deleted when the port is fixed.
//!
//! `LanguageModel::complete` is declared under `#[async_trait]` with
//! `on_text: &mut (dyn FnMut(&str) + Send)`. async-trait names every elided lifetime,
//! including the one inside `FnMut(&str)`, so the real parameter is
//! `dyn FnMut(&'life2 str)` with `'life2` outliving the call: an implementation may only pass
//! text that lives longer than the call, never a piece of a chunk it just read. Declaring it
//! `dyn for<'a> FnMut(&'a str) + Send` in core fixes that for every adapter.
//!
//! Until then, [`pieces`] hands the text on as `&'static str` taken from a process-wide set
//! of interned strings. Streamed chunks are mostly single tokens, so the set stays about the
//! size of the vocabulary in use; past [`MAX_BYTES`] new chunks are passed one character at a
//! time (characters are a small fixed set), so memory stays bounded whatever the model says.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The most bytes of distinct chunk texts kept before falling back to characters.
pub(crate) const MAX_BYTES: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct Interner {
    strings: HashSet<&'static str>,
    bytes: usize,
}

impl Interner {
    fn get_or_leak(&mut self, text: &str) -> &'static str {
        if let Some(&known) = self.strings.get(text) {
            return known;
        }
        let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
        self.bytes += leaked.len();
        self.strings.insert(leaked);
        leaked
    }
}

fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(Mutex::default)
}

/// Passes `text` to `emit` as one `'static` piece, or character by character once the
/// interner is full. The pieces always join back to `text`.
pub(crate) fn pieces(text: &str, emit: &mut dyn FnMut(&'static str)) {
    let interned = {
        let mut interner = interner().lock().unwrap_or_else(PoisonError::into_inner);
        interner.pieces(text, MAX_BYTES)
    };
    for piece in interned {
        emit(piece);
    }
}

impl Interner {
    /// `text` whole if it is known or fits under `max_bytes`, else its characters.
    fn pieces(&mut self, text: &str, max_bytes: usize) -> Vec<&'static str> {
        if self.strings.contains(text) || self.bytes + text.len() <= max_bytes {
            return vec![self.get_or_leak(text)];
        }
        let mut buffer = [0u8; 4];
        text.chars()
            .map(|c| self.get_or_leak(c.encode_utf8(&mut buffer)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_back_and_repeat_without_growing() {
        let mut out = String::new();
        pieces("héllo ", &mut |p| out.push_str(p));
        let before = interner().lock().unwrap().bytes;
        pieces("héllo ", &mut |p| out.push_str(p));
        assert_eq!(interner().lock().unwrap().bytes, before);
        assert_eq!(out, "héllo héllo ");
    }

    #[test]
    fn a_full_interner_falls_back_to_characters_and_stops_growing() {
        let mut interner = Interner::default();
        assert_eq!(interner.pieces("abc", 4), ["abc"]);
        assert_eq!(interner.pieces("abc", 4), ["abc"]);
        assert_eq!(interner.pieces("bad", 4), ["b", "a", "d"]);
        let bytes = interner.bytes;
        assert_eq!(interner.pieces("dab", 4), ["d", "a", "b"]);
        assert_eq!(interner.bytes, bytes);
    }
}
