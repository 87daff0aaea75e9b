//! Logging with slog: human-readable lines on stderr in development, JSON lines on stdout in
//! production. Records from the `log` facade (actix-web, tokio-postgres, reqwest) and from
//! `tracing` (actix-server, h2; bridged through tracing's `log` feature) reach the same drain.

use crate::config::{LogLevel, Mode};
use slog::{Drain, Level, Logger, o};

/// Keeps the async drain and the global logger alive; dropping it flushes pending lines.
pub struct LogGuard {
    _async: slog_async::AsyncGuard,
    _scope: slog_scope::GlobalLoggerGuard,
}

fn slog_level(level: LogLevel) -> Level {
    match level {
        LogLevel::Trace => Level::Trace,
        LogLevel::Debug => Level::Debug,
        LogLevel::Info => Level::Info,
        LogLevel::Warn => Level::Warning,
        LogLevel::Error => Level::Error,
        LogLevel::Fatal => Level::Critical,
    }
}

fn log_level(level: LogLevel) -> log::Level {
    match level {
        LogLevel::Trace => log::Level::Trace,
        LogLevel::Debug => log::Level::Debug,
        LogLevel::Info => log::Level::Info,
        LogLevel::Warn => log::Level::Warn,
        LogLevel::Error | LogLevel::Fatal => log::Level::Error,
    }
}

/// Builds the root logger and installs it as the target of `log` and `tracing` records.
pub fn init(mode: Mode, level: LogLevel) -> (Logger, LogGuard) {
    let (drain, async_guard) = match mode {
        Mode::Production => {
            let json = slog_json::Json::new(std::io::stdout())
                .add_default_keys()
                .build()
                .fuse();
            slog_async::Async::new(json)
                .chan_size(4096)
                .build_with_guard()
        }
        Mode::Development => {
            let decorator = slog_term::TermDecorator::new().stderr().build();
            let term = slog_term::FullFormat::new(decorator).build().fuse();
            slog_async::Async::new(term)
                .chan_size(4096)
                .build_with_guard()
        }
    };
    let drain = drain.filter_level(slog_level(level)).fuse();
    let logger = Logger::root(drain, o!("service" => "pantry-pixie"));
    let scope_guard = slog_scope::set_global_logger(logger.clone());
    // Fails only if another `log` logger is already installed (tests); that one keeps working.
    let _ = slog_stdlog::init_with_level(log_level(level));
    (
        logger,
        LogGuard {
            _async: async_guard,
            _scope: scope_guard,
        },
    )
}
