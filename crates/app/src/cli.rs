//! The command line: `pantry-pixie [serve | migrate | check-config]`.

/// What the process was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Run migrations, then serve HTTP (the default).
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// Print the effective configuration with secrets masked, and exit.
    CheckConfig,
    Help,
    Version,
}

pub const USAGE: &str = "\
Usage: pantry-pixie [COMMAND]

Commands:
  serve          run migrations, then serve HTTP (default)
  migrate        run pending database migrations and exit
  check-config   print the effective configuration (secrets masked) and exit

Configuration comes from pixie.toml (or the file named by PIXIE_CONFIG) and the environment;
see README.md for every setting.";

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let args: Vec<String> = args.into_iter().collect();
    match args.as_slice() {
        [] => Ok(Command::Serve),
        [one] => match one.as_str() {
            "serve" => Ok(Command::Serve),
            "migrate" => Ok(Command::Migrate),
            "check-config" => Ok(Command::CheckConfig),
            "-h" | "--help" | "help" => Ok(Command::Help),
            "-V" | "--version" => Ok(Command::Version),
            other => Err(format!("unknown command '{other}'")),
        },
        _ => Err("expected at most one command".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(parse(Vec::new()), Ok(Command::Serve));
        assert_eq!(parse(["migrate".to_string()]), Ok(Command::Migrate));
        assert_eq!(
            parse(["check-config".to_string()]),
            Ok(Command::CheckConfig)
        );
        assert!(parse(["bogus".to_string()]).is_err());
        assert!(parse(["serve".to_string(), "x".to_string()]).is_err());
    }
}
