//! The `TokenSource` port on the operating system's CSPRNG.

use pantry_core::accounts::session::TokenSource;

/// 256-bit random tokens, hex-encoded (URL- and header-safe).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandomTokens;

impl TokenSource for OsRandomTokens {
    fn new_token(&self) -> String {
        let mut bytes = [0u8; 32];
        // The OS generator failing means the machine cannot make secrets at all; refusing to
        // continue is the only safe answer.
        if let Err(e) = getrandom::fill(&mut bytes) {
            panic!("the operating system's random generator failed: {e}");
        }
        hex::encode(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = OsRandomTokens.new_token();
        let b = OsRandomTokens.new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
