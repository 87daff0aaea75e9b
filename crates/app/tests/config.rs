//! Configuration: precedence, defaults, and each refusal, through the real figment stack.

// figment::Jail fixes the closure's error type (figment::Error), which clippy finds large.
#![allow(clippy::result_large_err)]

use figment::Jail;
use pantry_app::config::{Mode, Settings, figment};
use pantry_app::secret::SecretSource;
use std::path::Path;
use std::time::Duration;

fn load() -> Result<Settings, pantry_app::config::ConfigError> {
    Settings::from_figment(figment(Path::new("pixie.toml")))
}

const STRONG: &str = "0123456789abcdef0123456789abcdef-strong";

#[test]
fn development_needs_no_configuration() {
    Jail::expect_with(|_jail| {
        let settings = load().expect("defaults load");
        assert_eq!(settings.mode, Mode::Development);
        assert_eq!(settings.host, "127.0.0.1");
        assert_eq!(settings.port, 3000);
        assert_eq!(settings.scheduler.interval, Some(Duration::from_secs(60)));
        assert!(settings.openai.vision);
        assert_eq!(settings.database.url.expose(), "sqlite://./data/pantry.db");
        assert_eq!(settings.jwt_secret_source, SecretSource::DataDirGenerated);
        assert!(settings.jwt_secret.expose().len() >= 32);
        assert!(Path::new("data/jwt_secret").exists());
        // The secret is kept: the next start reuses it, so sessions survive restarts.
        let again = load().expect("second load");
        assert_eq!(again.jwt_secret_source, SecretSource::DataDirExisting);
        assert_eq!(again.jwt_secret, settings.jwt_secret);
        assert!(!settings.http.production);
        Ok(())
    });
}

#[test]
fn file_then_conventional_env_then_prefixed_env() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "pixie.toml",
            "port = 4000\nhost = \"0.0.0.0\"\nbody_limit = 2048\n",
        )?;
        let s = load().unwrap();
        assert_eq!(
            (s.port, s.host.as_str(), s.http.body_limit),
            (4000, "0.0.0.0", 2048)
        );
        jail.set_env("PORT", "5000");
        assert_eq!(load().unwrap().port, 5000);
        jail.set_env("PIXIE_PORT", "6000");
        assert_eq!(load().unwrap().port, 6000);
        Ok(())
    });
}

#[test]
fn every_setting_is_read_from_the_environment() {
    Jail::expect_with(|jail| {
        jail.set_env("PIXIE_DATA_DIR", "/tmp/pixie-data-x");
        jail.set_env("DATABASE_URL", "postgres://app:pw@db.internal:5432/pantry");
        jail.set_env("DB_POOL_MAX", "7");
        jail.set_env("DB_IDLE_TIMEOUT", "90");
        jail.set_env("DB_CONNECT_TIMEOUT", "3");
        jail.set_env("JWT_SECRET", STRONG);
        jail.set_env(
            "ALLOWED_ORIGINS",
            "https://a.example, https://b.example:8443",
        );
        jail.set_env("TRUSTED_PROXIES", "10.0.0.0/8,192.0.2.1");
        jail.set_env("RATE_LIMIT_POINTS", "50");
        jail.set_env("RATE_LIMIT_DURATION", "30");
        jail.set_env("RATE_LIMIT_BLOCK_DURATION", "120");
        jail.set_env("AUTH_RATE_LIMIT_POINTS", "5");
        jail.set_env("AUTH_RATE_LIMIT_DURATION", "600");
        jail.set_env("REQUEST_TIMEOUT", "1500");
        jail.set_env("IDEMPOTENCY_TTL", "3600");
        jail.set_env("LOG_LEVEL", "debug");
        jail.set_env("OPENAI_API_KEY", "sk-test");
        jail.set_env("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1");
        jail.set_env("OPENAI_MODEL", "llama3.2");
        jail.set_env("SCHEDULER_INTERVAL", "15");
        jail.set_env("DIGEST_HOUR", "7");
        jail.set_env("OPENAI_VISION", "false");
        let s = load().unwrap();
        assert_eq!(s.data_dir, Path::new("/tmp/pixie-data-x"));
        assert_eq!(
            s.database.url.expose(),
            "postgres://app:pw@db.internal:5432/pantry"
        );
        assert_eq!(s.database.pool_max, 7);
        assert_eq!(s.database.idle_timeout, Duration::from_secs(90));
        assert_eq!(s.database.connect_timeout, Duration::from_secs(3));
        assert_eq!(s.jwt_secret_source, SecretSource::Environment);
        assert_eq!(
            s.http.allowed_origins,
            ["https://a.example", "https://b.example:8443"]
        );
        assert_eq!(s.http.trusted_proxies.len(), 2);
        assert_eq!(s.http.rate_limit.points, 50);
        assert_eq!(s.http.rate_limit.duration, Duration::from_secs(30));
        assert_eq!(s.http.rate_limit.block, Duration::from_secs(120));
        assert_eq!(s.http.auth_rate_limit.points, 5);
        assert_eq!(s.http.auth_rate_limit.duration, Duration::from_secs(600));
        assert_eq!(s.http.request_timeout, Duration::from_millis(1500));
        assert_eq!(s.http.idempotency_ttl, Duration::from_secs(3600));
        assert_eq!(s.openai.api_key.as_ref().unwrap().expose(), "sk-test");
        assert_eq!(s.openai.model, "llama3.2");
        assert_eq!(s.scheduler.interval, Some(Duration::from_secs(15)));
        assert_eq!(s.scheduler.digest_hour, 7);
        assert!(!s.openai.vision, "a text-only model: no receipt scanning");
        Ok(())
    });
}

fn refused(setup: impl FnOnce(&mut Jail)) -> String {
    let mut message = String::new();
    Jail::expect_with(|jail| {
        setup(jail);
        message = load().expect_err("must be refused").to_string();
        Ok(())
    });
    message
}

fn production(jail: &mut Jail) {
    jail.set_env("PIXIE_ENV", "production");
    jail.set_env("JWT_SECRET", STRONG);
    jail.set_env("ALLOWED_ORIGINS", "https://pantry.example");
}

#[test]
fn production_with_valid_settings_starts() {
    Jail::expect_with(|jail| {
        production(jail);
        let s = load().unwrap();
        assert!(s.http.production);
        assert!(
            !Path::new("data/jwt_secret").exists(),
            "production must not invent a secret"
        );
        Ok(())
    });
}

#[test]
fn production_refuses_a_missing_secret() {
    let m = refused(|j| {
        production(j);
        j.set_env("JWT_SECRET", "");
    });
    assert!(m.starts_with("JWT_SECRET:"), "{m}");
}

#[test]
fn production_refuses_a_weak_secret() {
    let m = refused(|j| {
        production(j);
        j.set_env("JWT_SECRET", "change-this-in-production");
    });
    assert!(m.starts_with("JWT_SECRET:") && m.contains("32"), "{m}");
}

#[test]
fn production_refuses_missing_or_wildcard_origins() {
    let m = refused(|j| {
        production(j);
        j.set_env("ALLOWED_ORIGINS", "");
    });
    assert!(m.starts_with("ALLOWED_ORIGINS:"), "{m}");
    let m = refused(|j| {
        production(j);
        j.set_env("ALLOWED_ORIGINS", "https://pantry.example,*");
    });
    assert!(m.starts_with("ALLOWED_ORIGINS:") && m.contains('*'), "{m}");
    let m = refused(|j| {
        production(j);
        j.set_env("ALLOWED_ORIGINS", "https://pantry.example/app/");
    });
    assert!(m.starts_with("ALLOWED_ORIGINS:"), "{m}");
}

#[test]
fn unparsable_values_are_refused_naming_the_setting() {
    let m = refused(|j| j.set_env("PORT", "abc"));
    assert!(m.starts_with("PORT:"), "{m}");
    let m = refused(|j| j.set_env("PIXIE_REQUEST_TIMEOUT", "soon"));
    assert!(m.starts_with("PIXIE_REQUEST_TIMEOUT:"), "{m}");
    let m = refused(|j| j.set_env("RATE_LIMIT_POINTS", "-5"));
    assert!(m.starts_with("RATE_LIMIT_POINTS:"), "{m}");
    let m = refused(|j| j.set_env("PIXIE_ENV", "staging"));
    assert!(m.starts_with("PIXIE_ENV:"), "{m}");
    let m = refused(|j| j.set_env("TRUSTED_PROXIES", "10.0.0.0/33"));
    assert!(m.starts_with("TRUSTED_PROXIES:"), "{m}");
    let m = refused(|j| j.set_env("DATABASE_URL", "mysql://root@localhost/x"));
    assert!(m.starts_with("DATABASE_URL:"), "{m}");
    let m = refused(|j| j.set_env("BODY_LIMIT", "0"));
    assert!(m.starts_with("BODY_LIMIT:"), "{m}");
    let m = refused(|j| j.set_env("IDEMPOTENCY_TTL", "0"));
    assert!(m.starts_with("IDEMPOTENCY_TTL:"), "{m}");
    let m = refused(|j| j.set_env("DIGEST_HOUR", "24"));
    assert!(m.starts_with("DIGEST_HOUR:"), "{m}");
    let m = refused(|j| {
        j.create_file("pixie.toml", "port = \"eighty\"").unwrap();
    });
    assert!(
        m.starts_with("port (in ") && m.contains("pixie.toml"),
        "{m}"
    );
}

#[test]
fn the_masked_configuration_shows_no_secret() {
    Jail::expect_with(|jail| {
        jail.set_env("JWT_SECRET", STRONG);
        jail.set_env("OPENAI_API_KEY", "sk-live-very-secret-key");
        jail.set_env(
            "DATABASE_URL",
            "postgres://app:db-password-123@db:5432/pantry",
        );
        let text = load().unwrap().masked();
        for secret in [STRONG, "sk-live-very-secret-key", "db-password-123"] {
            assert!(!text.contains(secret), "{secret} shown:\n{text}");
        }
        assert!(
            text.contains("DATABASE_URL = postgres://app:****@db:5432/pantry"),
            "{text}"
        );
        assert!(text.contains("OPENAI_API_KEY = <set>"), "{text}");
        assert!(text.contains("PORT = 3000"), "{text}");
        Ok(())
    });
}
