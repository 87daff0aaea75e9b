//! `pantry-pixie`: the server binary.

use pantry_app::cli::{self, Command};
use pantry_app::config::Settings;
use pantry_app::{logging, server};
use std::process::ExitCode;
use std::time::Instant;

/// Exit status for a refused configuration (sysexits' EX_CONFIG).
const EXIT_CONFIG: u8 = 78;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let started = Instant::now();
    return_large_blocks_to_the_system();
    let command = match cli::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("pantry-pixie: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match command {
        Command::Help => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("pantry-pixie {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("pantry-pixie: configuration error: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    match command {
        Command::CheckConfig => {
            print!("{}", settings.masked());
            ExitCode::SUCCESS
        }
        Command::Migrate => match actix_web::rt::System::new().block_on(server::migrate(&settings))
        {
            Ok(applied) => {
                println!("applied {applied} migration(s)");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("pantry-pixie: {error}");
                ExitCode::FAILURE
            }
        },
        Command::Serve => {
            let (log, guard) = logging::init(settings.mode, settings.log_level);
            let result = actix_web::rt::System::new().block_on(server::serve(
                settings,
                log.clone(),
                started,
            ));
            let code = match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    slog::crit!(log, "cannot serve"; "error" => error.to_string());
                    eprintln!("pantry-pixie: {error}");
                    ExitCode::FAILURE
                }
            };
            drop(log);
            drop(guard);
            code
        }
        Command::Help | Command::Version => ExitCode::SUCCESS,
    }
}

/// glibc serves a large block (argon2's 19 MiB per password hash) with its own mapping, but
/// after the first such block is freed it raises that threshold and serves the next ones from
/// heaps it never gives back: a server that signed a few people in kept tens of MiB for good. A
/// fixed threshold keeps every block over 1 MiB a mapping of its own, unmapped when freed.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two plain integers and changes only malloc's tuning.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}
