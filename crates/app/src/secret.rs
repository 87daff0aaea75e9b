//! Secrets: a wrapper that never prints its value, and the development JWT secret that is
//! generated once and kept in the data directory so sessions survive restarts.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::Path;

/// A string that `Debug` and `Display` never reveal.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value itself; call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// Where the JWT secret came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    DataDirExisting,
    DataDirGenerated,
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SecretSource::Environment => "from the environment or pixie.toml",
            SecretSource::DataDirExisting => "kept in the data directory",
            SecretSource::DataDirGenerated => "generated now and kept in the data directory",
        })
    }
}

const SECRET_FILE: &str = "jwt_secret";

/// Reads `<data_dir>/jwt_secret`, or creates it with 32 random bytes (hex) readable only by
/// the owner.
pub fn load_or_create(data_dir: &Path) -> Result<(Secret, SecretSource), String> {
    let path = data_dir.join(SECRET_FILE);
    match fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= 32 => {
            return Ok((
                Secret::new(existing.trim().to_owned()),
                SecretSource::DataDirExisting,
            ));
        }
        Ok(_) => {
            return Err(format!(
                "{} exists but is too short; delete it to regenerate",
                path.display()
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    }
    fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    let value = hex::encode(bytes);
    write_private(&path, &value).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok((Secret::new(value), SecretSource::DataDirGenerated))
}

/// Creates the file exclusively (two processes racing cannot both win) with mode 0600.
fn write_private(path: &Path, value: &str) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(value.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (first, source) = load_or_create(dir.path()).unwrap();
        assert_eq!(source, SecretSource::DataDirGenerated);
        assert_eq!(first.expose().len(), 64);
        let (second, source) = load_or_create(dir.path()).unwrap();
        assert_eq!(source, SecretSource::DataDirExisting);
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("super-secret-value".into());
        assert!(!format!("{s} {s:?}").contains("super"));
    }
}
