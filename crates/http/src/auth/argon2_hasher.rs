//! The `PasswordHasher` port on argon2id with OWASP's parameters (m = 19456 KiB, t = 2, p = 1).
//!
//! Hashing costs ~20 ms of CPU, so it runs on tokio's blocking pool, never on an actix worker,
//! and at most `concurrency` at once: a login flood queues here instead of starving every
//! other request of CPU and workers.

use argon2::password_hash::phc::PasswordHash;
use argon2::{
    ARGON2ID_IDENT, Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version,
};
use async_trait::async_trait;
use pantry_core::accounts::password::{HashError, PasswordHasher, Verification};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// OWASP's argon2id recommendation (Password Storage Cheat Sheet).
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

/// argon2id hashing with bounded concurrency.
pub struct Argon2Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy: String,
}

impl Argon2Hasher {
    /// `concurrency` hashes may run at once (the number of cores is a good value).
    pub fn new(concurrency: usize) -> Result<Self, HashError> {
        Self::with_params(concurrency, M_COST_KIB, T_COST, P_COST)
    }

    /// Other parameters, for tests that must hash quickly or mimic older hashes.
    pub fn with_params(
        concurrency: usize,
        m_cost: u32,
        t_cost: u32,
        p_cost: u32,
    ) -> Result<Self, HashError> {
        let params =
            Params::new(m_cost, t_cost, p_cost, None).map_err(|e| HashError(e.to_string()))?;
        let mut dummy_password = [0u8; 32];
        getrandom::fill(&mut dummy_password).map_err(|e| HashError(e.to_string()))?;
        let dummy = hash_with(&params, &dummy_password)?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy,
        })
    }

    /// Runs `work` on the blocking pool once a permit is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError("hashing pool closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| HashError(format!("hashing task failed: {e}")))?
    }
}

fn argon2id(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_with(params: &Params, password: &[u8]) -> Result<String, HashError> {
    argon2id(params)
        .hash_password(password)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether a stored hash was made with other settings than `current`.
fn is_outdated(hash: &PasswordHash, current: &Params) -> bool {
    let Ok(stored) = Params::try_from(hash) else {
        return true;
    };
    hash.algorithm != ARGON2ID_IDENT
        || hash.version != Some(Version::V0x13.into())
        || stored.m_cost() != current.m_cost()
        || stored.t_cost() != current.t_cost()
        || stored.p_cost() != current.p_cost()
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, HashError> {
        let params = self.params.clone();
        let password = password.as_bytes().to_vec();
        self.run(move || hash_with(&params, &password)).await
    }

    async fn verify(&self, password: &str, phc: &str) -> Result<Verification, HashError> {
        let params = self.params.clone();
        let password = password.as_bytes().to_vec();
        let phc = phc.to_owned();
        self.run(move || {
            let hash = PasswordHash::new(&phc)
                .map_err(|e| HashError(format!("stored hash unreadable: {e}")))?;
            // Verification uses the parameters recorded in the hash itself, so hashes made by
            // the earlier server (argon2id, m = 65536) still verify.
            let matches = Argon2::default().verify_password(&password, &hash).is_ok();
            Ok(Verification {
                matches,
                needs_rehash: matches && is_outdated(&hash, &params),
            })
        })
        .await
    }

    fn dummy_hash(&self) -> &str {
        &self.dummy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by the earlier server (Bun.password, argon2id m=65536 t=2 p=1) for "password123".
    fn earlier_server_hash() -> String {
        let params = Params::new(65_536, 2, 1, None).unwrap();
        hash_with(&params, b"password123").unwrap()
    }

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hasher = Argon2Hasher::new(2).unwrap();
        let phc = hasher.hash("correct horse").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let ok = hasher.verify("correct horse", &phc).await.unwrap();
        assert_eq!(
            ok,
            Verification {
                matches: true,
                needs_rehash: false
            }
        );
        let wrong = hasher.verify("wrong horse", &phc).await.unwrap();
        assert!(!wrong.matches);
    }

    #[tokio::test]
    async fn earlier_server_hashes_verify_and_ask_for_a_rehash() {
        let hasher = Argon2Hasher::new(2).unwrap();
        let old = earlier_server_hash();
        assert!(old.contains("m=65536"));
        let v = hasher.verify("password123", &old).await.unwrap();
        assert_eq!(
            v,
            Verification {
                matches: true,
                needs_rehash: true
            }
        );
        // A wrong password against an old hash is just wrong; nothing to upgrade.
        let v = hasher.verify("password124", &old).await.unwrap();
        assert_eq!(
            v,
            Verification {
                matches: false,
                needs_rehash: false
            }
        );
    }

    #[tokio::test]
    async fn the_dummy_hash_is_a_real_current_hash() {
        let hasher = Argon2Hasher::new(1).unwrap();
        assert!(
            hasher
                .dummy_hash()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
        assert!(
            !hasher
                .verify("anything", hasher.dummy_hash())
                .await
                .unwrap()
                .matches
        );
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_is_an_error_not_a_match() {
        let hasher = Argon2Hasher::new(1).unwrap();
        assert!(hasher.verify("x", "not-a-hash").await.is_err());
    }
}
