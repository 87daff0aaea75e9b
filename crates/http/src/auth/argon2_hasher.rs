//! The `PasswordHasher` port on argon2id with OWASP's parameters (m = 19456 KiB, t = 2, p = 1),
//! computed on the [`HashingPool`]'s low-priority threads (see there for why).

use crate::auth::hashing_pool::{HashingPool, PoolError, Scratch};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use pantry_core::accounts::password::{HashError, PasswordHasher, Verification};

/// OWASP's argon2id recommendation (Password Storage Cheat Sheet).
pub const M_COST_KIB: u32 = 19_456;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

/// How many sign-ins may wait for a hashing thread before new ones are refused with 503.
const QUEUE_PER_THREAD: usize = 64;

/// argon2id hashing on a bounded pool of low-priority threads.
pub struct Argon2Hasher {
    params: Params,
    pool: HashingPool,
    dummy: String,
}

impl Argon2Hasher {
    /// `threads` hashes may run at once (the number of cores is a good value).
    pub fn new(threads: usize) -> Result<Self, HashError> {
        let params = Params::new(M_COST_KIB, T_COST, P_COST, None).map_err(failed)?;
        let pool = HashingPool::new(threads, threads.max(1) * QUEUE_PER_THREAD).map_err(failed)?;
        let mut dummy_password = [0u8; 32];
        getrandom::fill(&mut dummy_password).map_err(failed)?;
        let dummy = hash_with(&mut Scratch::default(), &params, &dummy_password)?;
        Ok(Self {
            params,
            pool,
            dummy,
        })
    }
}

fn failed(e: impl std::fmt::Display) -> HashError {
    HashError::Failed(e.to_string())
}

fn pool_error(e: PoolError) -> HashError {
    match e {
        PoolError::Busy => HashError::Busy,
        PoolError::Stopped => HashError::Failed("the hashing threads stopped".into()),
    }
}

/// A PHC string for `password`, computed in the thread's reusable memory.
fn hash_with(scratch: &mut Scratch, params: &Params, password: &[u8]) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(failed)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password,
            &salt,
            &mut out,
            scratch.blocks(params.block_count()),
        )
        .map_err(failed)?;
    let phc = PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failed)?,
        salt: Some(Salt::new(&salt).map_err(failed)?),
        hash: Some(Output::new(&out).map_err(failed)?),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a PHC string with the parameters recorded in it (so hashes made
/// by the earlier server, argon2id with m = 65536, verify too); the comparison is
/// constant-time.
fn verify_with(
    scratch: &mut Scratch,
    current: &Params,
    password: &[u8],
    phc: &str,
) -> Result<Verification, HashError> {
    let hash =
        PasswordHash::new(phc).map_err(|e| failed(format!("stored hash unreadable: {e}")))?;
    let algorithm = Algorithm::try_from(hash.algorithm.as_str()).map_err(failed)?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).map_err(failed)?,
        None => Version::default(),
    };
    let params = Params::try_from(&hash).map_err(failed)?;
    let (Some(salt), Some(expected)) = (hash.salt.as_ref(), hash.hash.as_ref()) else {
        return Err(failed("stored hash has no salt or output"));
    };
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            password,
            salt.as_ref(),
            &mut out,
            scratch.blocks(params.block_count()),
        )
        .map_err(failed)?;
    let matches = Output::new(&out).map_err(failed)? == *expected;
    let outdated = algorithm != Algorithm::Argon2id
        || version != Version::V0x13
        || params.m_cost() != current.m_cost()
        || params.t_cost() != current.t_cost()
        || params.p_cost() != current.p_cost();
    Ok(Verification {
        matches,
        needs_rehash: matches && outdated,
    })
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, HashError> {
        let params = self.params.clone();
        let password = password.as_bytes().to_vec();
        self.pool
            .run(move |scratch| hash_with(scratch, &params, &password))
            .await
            .map_err(pool_error)?
    }

    async fn verify(&self, password: &str, phc: &str) -> Result<Verification, HashError> {
        let params = self.params.clone();
        let password = password.as_bytes().to_vec();
        let phc = phc.to_owned();
        self.pool
            .run(move |scratch| verify_with(scratch, &params, &password, &phc))
            .await
            .map_err(pool_error)?
    }

    fn saturated(&self) -> bool {
        self.pool.saturated()
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
        use argon2::PasswordHasher as _;
        let params = Params::new(65_536, 2, 1, None).unwrap();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"password123")
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn our_hashes_verify_with_the_reference_implementation() {
        use argon2::PasswordVerifier as _;
        let hasher = Argon2Hasher::new(1).unwrap();
        let phc = hasher.hash("interoperable").await.unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"interoperable", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"interoperablE", &parsed)
                .is_err()
        );
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
