//! Which database a URL names, decided by its scheme and nothing else.
//!
//! The derived `MultiConnection::establish` tries every backend in turn and swallows their
//! errors (a PostgreSQL typo could silently become a SQLite file), so every connection in this
//! crate is opened through `Target::parse` instead. It also knows how to print a URL without
//! its password, for error messages and logs.

use crate::error::StoreError;
use std::path::{Path, PathBuf};

/// The database engine behind a [`crate::Database`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// PostgreSQL, through `postgres://` or `postgresql://` URLs.
    Postgres,
    /// An SQLite file, through `sqlite://PATH` URLs.
    Sqlite,
}

impl Backend {
    /// The backend a database URL names.
    ///
    /// ```
    /// use pantry_store::Backend;
    /// assert_eq!(Backend::from_url("postgres://db/pantry").unwrap(), Backend::Postgres);
    /// assert_eq!(Backend::from_url("sqlite://./data/pantry.db").unwrap(), Backend::Sqlite);
    /// assert!(Backend::from_url("mysql://db/pantry").is_err());
    /// assert!(Backend::from_url("pantry.db").is_err());
    /// ```
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        Target::parse(url).map(|target| target.backend())
    }

    /// A short lowercase name, for logs and health output.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed database URL: what to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// The full URL, handed to tokio-postgres unchanged.
    Postgres(String),
    /// The SQLite file, as a plain path (never a `file:` URI, so `?` and `%` stay literal).
    Sqlite(PathBuf),
}

impl Target {
    pub(crate) fn parse(url: &str) -> Result<Target, StoreError> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(StoreError::InvalidUrl(
                "the database URL has no scheme; use postgres://USER@HOST/DB, \
                 postgresql://USER@HOST/DB or sqlite://PATH"
                    .to_owned(),
            ));
        };
        match scheme {
            "postgres" | "postgresql" => Ok(Target::Postgres(url.to_owned())),
            "sqlite" => Self::sqlite_path(rest).map(Target::Sqlite),
            other => Err(StoreError::InvalidUrl(format!(
                "unsupported database URL scheme `{other}`; use postgres://, postgresql:// \
                 or sqlite://PATH"
            ))),
        }
    }

    fn sqlite_path(rest: &str) -> Result<PathBuf, StoreError> {
        if rest.is_empty() {
            return Err(StoreError::InvalidUrl(
                "sqlite:// needs a file path, e.g. sqlite://./data/pantry.db".to_owned(),
            ));
        }
        // An in-memory database is private to one connection, so every pooled connection
        // would see a different empty database.
        if rest == ":memory:" || rest.starts_with("file::memory:") {
            return Err(StoreError::InvalidUrl(
                "in-memory SQLite is not supported (each pooled connection would get its own \
                 empty database); use a file path"
                    .to_owned(),
            ));
        }
        if rest.contains('?') {
            return Err(StoreError::InvalidUrl(
                "sqlite:// URLs take a plain file path without query parameters".to_owned(),
            ));
        }
        Ok(PathBuf::from(rest))
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Target::Postgres(_) => Backend::Postgres,
            Target::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// What to call this database in a message: the URL without its password.
    pub(crate) fn describe(&self) -> String {
        match self {
            Target::Postgres(url) => redact_password(url),
            Target::Sqlite(path) => format!("sqlite://{}", path.display()),
        }
    }
}

/// Creates the directory an SQLite file lives in, so `sqlite://./data/pantry.db` works on a
/// fresh checkout.
pub(crate) fn ensure_parent_dir(path: &Path) -> Result<(), std::io::Error> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`. Leaves URLs without a
/// password alone. A password given as a `password=` query parameter is hidden too.
pub(crate) fn redact_password(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some(parts) => parts,
        None => return url.to_owned(),
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_schemes() {
        for url in [
            "postgres://u@h/db",
            "postgresql://u:p@h:5432/db?sslmode=disable",
        ] {
            assert_eq!(
                Target::parse(url).unwrap(),
                Target::Postgres(url.to_owned())
            );
        }
    }

    #[test]
    fn sqlite_relative_and_absolute_paths() {
        assert_eq!(
            Target::parse("sqlite://./data/pantry.db").unwrap(),
            Target::Sqlite(PathBuf::from("./data/pantry.db"))
        );
        assert_eq!(
            Target::parse("sqlite:///var/lib/pixie/pantry.db").unwrap(),
            Target::Sqlite(PathBuf::from("/var/lib/pixie/pantry.db"))
        );
        assert_eq!(
            Target::parse("sqlite://pantry.db").unwrap(),
            Target::Sqlite(PathBuf::from("pantry.db"))
        );
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for url in [
            "mysql://h/db",
            "pantry.db",
            "/var/lib/pantry.db",
            "sqlite://",
            "sqlite://:memory:",
            "sqlite://x.db?mode=rwc",
            "sqlite:pantry.db",
        ] {
            assert!(
                matches!(Target::parse(url), Err(StoreError::InvalidUrl(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn error_names_the_scheme_not_the_url() {
        let err = Target::parse("mysql://root:hunter2@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`mysql`"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_password("postgres://pixie:s3cr:et@db:5432/pantry"),
            "postgres://pixie:***@db:5432/pantry"
        );
        assert_eq!(
            redact_password("postgres://pixie@db/pantry?password=x&sslmode=require"),
            "postgres://pixie@db/pantry?password=***&sslmode=require"
        );
        assert_eq!(
            redact_password("postgres://db/pantry"),
            "postgres://db/pantry"
        );
    }
}
