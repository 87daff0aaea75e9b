//! The real `pantry-pixie` binary: zero-configuration start, refusals, subcommands, and logs.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pantry-pixie");

/// A command with a clean environment: no setting leaks in from the developer's shell.
fn pixie(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str, extra_headers: &str) -> Option<(u16, String)> {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra_headers}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

fn wait_ready(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some((200, _)) = get(port, "/ready", "") {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server not ready in 30 s");
}

fn stop(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    child.wait().unwrap()
}

#[test]
fn serves_with_no_configuration_on_a_sqlite_file_it_creates() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = pixie(dir.path())
        .env("PORT", port.to_string())
        .env(
            "JWT_SECRET",
            "jwt-secret-that-must-never-be-logged-0123456789",
        )
        .env("OPENAI_API_KEY", "sk-never-log-this-key")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(port, &mut child);
    assert!(
        dir.path().join("data/pantry.db").exists(),
        "no SQLite file created"
    );

    let (status, text) = get(port, "/health", "").unwrap();
    assert_eq!(status, 200);
    assert!(
        text.contains("\"status\":\"ok\"") && text.contains("\"agent\":\"ready\""),
        "{text}"
    );
    let (status, text) = get(
        port,
        "/api/nothing-here?token=QUERY-SECRET-TOKEN",
        "Authorization: Bearer HEADER-SECRET-TOKEN\r\n",
    )
    .unwrap();
    assert_eq!(status, 404);
    assert!(text.contains("\"code\":\"NOT_FOUND\""), "{text}");

    let exit = stop(&mut child);
    assert!(exit.success(), "SIGTERM should stop cleanly: {exit}");
    let mut logs = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("ready"), "{logs}");
    assert!(logs.contains("/api/nothing-here"), "no access line: {logs}");
    for secret in [
        "jwt-secret-that-must",
        "sk-never-log",
        "QUERY-SECRET",
        "HEADER-SECRET",
    ] {
        assert!(!logs.contains(secret), "{secret} in logs:\n{logs}");
    }
}

#[test]
fn a_client_that_never_finishes_its_request_head_is_cut_off() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = pixie(dir.path())
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(port, &mut child);
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    // Blocks until the server gives up on the request head and closes the connection.
    let _ = slow.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(12),
        "connection held for {waited:?}"
    );
    // Meanwhile the server kept serving others.
    assert_eq!(get(port, "/health", "").unwrap().0, 200);
    stop(&mut child);
}

#[test]
fn production_logs_are_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = pixie(dir.path())
        .env("PORT", port.to_string())
        .env("PIXIE_ENV", "production")
        .env("JWT_SECRET", "0123456789abcdef0123456789abcdef")
        .env("ALLOWED_ORIGINS", "https://pantry.example")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(port, &mut child);
    let (_, text) = get(port, "/health", "").unwrap();
    assert!(
        text.to_lowercase().contains("strict-transport-security"),
        "{text}"
    );
    stop(&mut child);
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = 0;
    for line in out.lines() {
        let line = line.unwrap();
        let value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(value["msg"].is_string(), "{line}");
        lines += 1;
    }
    assert!(lines >= 2, "expected a ready line and an access line");
}

#[test]
fn production_refuses_to_start_with_one_line_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = pixie(dir.path())
        .env("PIXIE_ENV", "production")
        .env("ALLOWED_ORIGINS", "https://pantry.example")
        .env("JWT_SECRET", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");
    assert!(
        !stderr.contains("short"),
        "the value itself must not be printed: {stderr}"
    );
}

#[test]
fn check_config_masks_secrets_and_migrate_applies_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = pixie(dir.path())
        .arg("check-config")
        .env("JWT_SECRET", "another-long-secret-value-that-is-hidden")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("JWT_SECRET = <set: 40 bytes"), "{text}");
    assert!(!text.contains("another-long-secret"), "{text}");

    let first = pixie(dir.path()).arg("migrate").output().unwrap();
    assert!(first.status.success(), "{first:?}");
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied 3 migration"));
    let second = pixie(dir.path()).arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&second.stdout).contains("applied 0 migration"));

    let bad = pixie(dir.path()).arg("frobnicate").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Signs up over plain HTTP; the access token.
fn sign_up(port: u16) -> String {
    use std::io::Write;
    let body =
        r#"{"email":"alice@example.com","password":"a long kitchen password","name":"Alice"}"#;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "POST /api/auth/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let start = text.find(r#""token":""#).expect("a token") + r#""token":""#.len();
    let end = start + text[start..].find('"').unwrap();
    text[start..end].to_owned()
}

/// Reads one WebSocket frame from the server (unmasked): its opcode and payload.
fn read_frame(stream: &mut std::net::TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 2];
    stream.read_exact(&mut head).unwrap();
    let opcode = head[0] & 0x0f;
    let len = match head[1] & 0x7f {
        126 => {
            let mut ext = [0u8; 2];
            stream.read_exact(&mut ext).unwrap();
            u64::from(u16::from_be_bytes(ext))
        }
        127 => {
            let mut ext = [0u8; 8];
            stream.read_exact(&mut ext).unwrap();
            u64::from_be_bytes(ext)
        }
        n => u64::from(n),
    };
    let mut payload = vec![0u8; len as usize];
    stream.read_exact(&mut payload).unwrap();
    (opcode, payload)
}

#[test]
fn sigterm_closes_live_sockets_with_going_away() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = pixie(dir.path())
        .env("PORT", port.to_string())
        .env(
            "JWT_SECRET",
            "jwt-secret-that-must-never-be-logged-0123456789",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(port, &mut child);
    let token = sign_up(port);

    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    write!(
        socket,
        "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: auth-{token}\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        socket.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let (opcode, greeting) = read_frame(&mut socket);
    assert_eq!(opcode, 1);
    assert!(String::from_utf8_lossy(&greeting).contains("\"connected\""));

    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let close = loop {
        let (opcode, payload) = read_frame(&mut socket);
        if opcode == 8 {
            break payload;
        }
    };
    assert_eq!(u16::from_be_bytes([close[0], close[1]]), 1001);
    // Answer the close (client frames are masked; a zero mask keeps the payload as is).
    socket
        .write_all(&[0x88, 0x82, 0, 0, 0, 0, close[0], close[1]])
        .unwrap();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "SIGTERM should stop cleanly: {exit}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(logs.contains("stopping"), "{logs}");
}

/// A request with a bearer token and a JSON body over plain HTTP: the status and the body.
fn send_json(port: u16, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap();
    (status, body)
}

/// Opens a live socket on `port` with `token`: the stream after the 101 answer.
fn open_live(port: u16, token: &str) -> std::net::TcpStream {
    use std::io::Write;
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        socket,
        "GET /api/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: auth-{token}\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        socket.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    socket
}

/// The names of the next `count` items reported added on `socket`, with their seqs.
fn next_added(socket: &mut std::net::TcpStream, count: usize) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    while seen.len() < count {
        let (opcode, payload) = read_frame(socket);
        if opcode != 1 {
            continue;
        }
        let frame: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        if frame["type"] == "inventory_update" && frame["payload"]["action"] == "added" {
            let name = frame["payload"]["item"]["name"]
                .as_str()
                .unwrap()
                .to_owned();
            seen.push((frame["seq"].as_i64().unwrap(), name));
        }
    }
    seen
}

/// Two processes of the binary on one PostgreSQL database: a change made through one reaches a
/// live socket on the other, and when the other's listening connection is killed, every change
/// made while it was down and after arrives, in order, once.
#[test]
fn two_processes_share_live_changes_through_postgres() {
    use diesel_async::SimpleAsyncConnection;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(pantry_store::test_support::TestDb::postgres()) else {
        return;
    };
    let listeners = |at_least: usize| {
        // Fails (an error) unless this database has that many listening connections.
        format!(
            "DO $$ BEGIN IF (SELECT count(*) FROM pg_stat_activity WHERE application_name = \
             'pantry-pixie-listener' AND datname = current_database()) < {at_least} THEN \
             RAISE EXCEPTION 'not yet'; END IF; END $$"
        )
    };
    let execute = |sql: String| {
        runtime.block_on(async {
            let mut conn = db.db.conn().await.unwrap();
            conn.batch_execute(&sql).await.is_ok()
        })
    };
    let wait_until = |what: &str, check: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !check() {
            assert!(Instant::now() < deadline, "{what} in 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let start = |dir: &Path, port: u16| {
        let mut child = pixie(dir)
            .env("PORT", port.to_string())
            .env("DATABASE_URL", &db.url)
            .env(
                "JWT_SECRET",
                "jwt-secret-shared-by-both-instances-0123456789",
            )
            .env("LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_ready(port, &mut child);
        child
    };
    let (dir_one, dir_two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (port_one, port_two) = (free_port(), free_port());
    let mut one = start(dir_one.path(), port_one);
    wait_until("instance one listens", &|| execute(listeners(1)));
    let mut two = start(dir_two.path(), port_two);
    wait_until("both instances listen", &|| execute(listeners(2)));

    let token = sign_up(port_one);
    let (status, me) = send_json(port_one, "GET", "/api/auth/me", &token, "");
    assert_eq!(status, 200, "{me}");
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    let home = me["data"]["homeId"].as_str().unwrap().to_owned();
    let add = |name: &str| {
        let body = format!(r#"{{"name":"{name}"}}"#);
        let (status, text) = send_json(
            port_one,
            "POST",
            &format!("/api/homes/{home}/items"),
            &token,
            &body,
        );
        assert_eq!(status, 201, "{text}");
    };

    let mut socket = open_live(port_two, &token);
    let (_, greeting) = read_frame(&mut socket);
    assert!(String::from_utf8_lossy(&greeting).contains("\"connected\""));
    add("made on one");
    let first = next_added(&mut socket, 1);
    assert_eq!(first[0].1, "made on one");

    // Kill instance two's listening connection (the newer of the two), write through
    // instance one while it is gone, then after it is back.
    assert!(execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'pantry-pixie-listener' AND datname = current_database() \
         ORDER BY backend_start DESC LIMIT 1"
            .to_owned()
    ));
    wait_until("the killed listener is gone", &|| !execute(listeners(2)));
    let mut names = Vec::new();
    for i in 0..5 {
        names.push(format!("while down {i}"));
        add(&names[names.len() - 1]);
    }
    wait_until("instance two listens again", &|| execute(listeners(2)));
    for i in 0..5 {
        names.push(format!("after {i}"));
        add(&names[names.len() - 1]);
    }

    let arrived = next_added(&mut socket, names.len());
    let arrived_names: Vec<&str> = arrived.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(arrived_names, names, "every change, in order, once");
    for pair in arrived.windows(2) {
        assert!(pair[0].0 < pair[1].0, "seqs increase: {arrived:?}");
    }
    assert!(arrived[0].0 > first[0].0);

    assert!(stop(&mut one).success());
    assert!(stop(&mut two).success());
}
