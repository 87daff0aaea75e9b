//! Handing text to `on_text` in word-sized `'static` pieces: a stop-gap for a lifetime bug in
//! the port, to be deleted when it is fixed.
//!
//! [`LanguageModel::complete`](crate::pixie::model::LanguageModel::complete) is declared
//! under `#[async_trait]` with `on_text: &mut (dyn FnMut(&str) + Send)`; async-trait names
//! the elided lifetime inside `FnMut(&str)` too, so an implementation may only pass text that
//! outlives the call. Declaring it `dyn for<'a> FnMut(&'a str) + Send` fixes that. Until
//! then, words are interned in a process-wide set (a household's vocabulary is small) up to
//! [`MAX_BYTES`]; past that, text goes character by character (ASCII from a static table,
//! other characters interned: a bounded set), so memory stays bounded whatever is said.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

/// The most bytes of distinct words kept.
const MAX_BYTES: usize = 1024 * 1024;

/// Every ASCII character, so single characters need no allocation.
static ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = i as u8;
        i += 1;
    }
    table
};

#[derive(Default)]
struct Interner {
    words: HashSet<&'static str>,
    bytes: usize,
}

impl Interner {
    /// The `'static` copy of `text`, leaked the first time it is seen.
    fn intern(&mut self, text: &str) -> &'static str {
        if let Some(&known) = self.words.get(text) {
            return known;
        }
        let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
        self.bytes += leaked.len();
        self.words.insert(leaked);
        leaked
    }
}

/// The process-wide interner (the port's callback outlives any one reply).
fn interner() -> &'static Mutex<Interner> {
    static INTERNER: OnceLock<Mutex<Interner>> = OnceLock::new();
    INTERNER.get_or_init(Mutex::default)
}

/// `text` as `'static` pieces, word by word (each keeps its following space) while the
/// interner has room; the pieces always join back to `text`.
pub(super) fn pieces(text: &str) -> Vec<&'static str> {
    let mut interner = interner().lock().unwrap_or_else(PoisonError::into_inner);
    let mut out = Vec::new();
    for word in text.split_inclusive(' ') {
        if interner.words.contains(word) || interner.bytes + word.len() <= MAX_BYTES {
            out.push(interner.intern(word));
            continue;
        }
        let mut buffer = [0u8; 4];
        for c in word.chars() {
            let ascii = usize::try_from(u32::from(c))
                .ok()
                .and_then(|i| ASCII.get(i..i + 1))
                .and_then(|b| std::str::from_utf8(b).ok());
            out.push(match ascii {
                Some(piece) => piece,
                None => interner.intern(c.encode_utf8(&mut buffer)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_back_and_repeat_without_growing() {
        let first = pieces("Done! Added crème fraîche ");
        let before = interner().lock().map(|i| i.bytes).unwrap_or(0);
        let second = pieces("Done! Added crème fraîche ");
        assert_eq!(interner().lock().map(|i| i.bytes).unwrap_or(0), before);
        assert_eq!(first.concat(), "Done! Added crème fraîche ");
        assert_eq!(first, second);
        assert_eq!(first.len(), 4);
    }
}
