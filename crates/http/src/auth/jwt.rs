//! Access tokens: short-lived HS256 JWTs. Verification pins the algorithm and checks issuer,
//! audience, subject, issue, not-before and expiry times and the token id; the earlier
//! clients' claims (`userId`, `homeId`, `email`) ride along so they keep working.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use pantry_core::accounts::service::{SessionClaims, SignedIn};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;

pub const ISSUER: &str = "pantry-pixie";
pub const AUDIENCE: &str = "pantry-pixie-api";

/// Seconds of clock difference tolerated between replicas.
const LEEWAY_SECS: u64 = 5;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The refresh-token family (session) this token belongs to.
    pub sid: String,
    /// The user's session epoch when the token was issued.
    pub sep: i64,
    /// Earlier clients read these three.
    #[serde(rename = "userId")]
    pub user_id: String,
    #[serde(rename = "homeId")]
    pub home_id: Option<String>,
    pub email: String,
}

/// A verified access token, reduced to what handlers use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub session: SessionClaims,
    pub home_id: Option<Uuid>,
    pub email: String,
    /// `exp`: when the token stops being accepted (Unix seconds, before the leeway).
    pub expires_at: i64,
}

/// A signed access token and its lifetime in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("the signing secret is unusable: {0}")]
    Key(String),
    #[error("token could not be signed: {0}")]
    Sign(String),
    #[error("invalid token")]
    Invalid,
}

/// Signs and verifies access tokens with one secret.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl TokenService {
    pub fn new(secret: &[u8], ttl: Duration) -> Result<Self, JwtError> {
        let encoding =
            EncodingKey::from_secret(secret).map_err(|e| JwtError::Key(e.to_string()))?;
        let decoding =
            DecodingKey::from_secret(secret).map_err(|e| JwtError::Key(e.to_string()))?;
        // Only HS256: a token naming `none` or another algorithm is refused before its
        // signature is even considered.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.validate_exp = true;
        validation.leeway = LEEWAY_SECS;
        Ok(Self {
            encoding,
            decoding,
            validation,
            ttl,
        })
    }

    /// The access token for a session that just started or was refreshed.
    pub fn issue(&self, signed_in: &SignedIn) -> Result<AccessToken, JwtError> {
        let session = SessionClaims {
            user_id: signed_in.user.id,
            family_id: signed_in.family_id,
            session_epoch: signed_in.user.session_epoch,
        };
        self.issue_for(session, &signed_in.user.email, signed_in.home_id)
    }

    /// An access token for an existing session bound to another home (home switching).
    pub fn issue_for(
        &self,
        session: SessionClaims,
        email: &str,
        home_id: Option<Uuid>,
    ) -> Result<AccessToken, JwtError> {
        let now = chrono::Utc::now().timestamp();
        let user_id = session.user_id.to_string();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: user_id.clone(),
            iat: now,
            nbf: now,
            exp: now + self.ttl.as_secs() as i64,
            jti: Uuid::now_v7().to_string(),
            sid: session.family_id.to_string(),
            sep: session.session_epoch,
            user_id,
            home_id: home_id.map(|h| h.to_string()),
            email: email.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| JwtError::Sign(e.to_string()))?;
        Ok(AccessToken {
            token,
            expires_in: self.ttl.as_secs(),
        })
    }

    /// Verifies signature, algorithm and every claim.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, JwtError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| JwtError::Invalid)?;
        let claims = data.claims;
        let user_id = Uuid::parse_str(&claims.sub).map_err(|_| JwtError::Invalid)?;
        let family_id = Uuid::parse_str(&claims.sid).map_err(|_| JwtError::Invalid)?;
        // The earlier claim must agree with the standard one; a token saying otherwise is forged.
        if claims.user_id != claims.sub || claims.jti.is_empty() || claims.iat > claims.exp {
            return Err(JwtError::Invalid);
        }
        let home_id = match claims.home_id {
            Some(h) => Some(Uuid::parse_str(&h).map_err(|_| JwtError::Invalid)?),
            None => None,
        };
        Ok(VerifiedToken {
            session: SessionClaims {
                user_id,
                family_id,
                session_epoch: claims.sep,
            },
            home_id,
            email: claims.email,
            expires_at: claims.exp,
        })
    }
}
