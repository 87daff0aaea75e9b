#!/usr/bin/env bash
# Runs a command against a throwaway Pantry Pixie server: the release binary on a free port
# with a temporary SQLite data dir, and the fake model (a streamed text reply to every chat
# turn) on another, then stops both. Builds nothing.
#
#   crates/web/e2e/tools/with-server.sh node crates/web/e2e/tools/screenshots.mjs
#
# The command gets PIXIE_URL (e.g. http://127.0.0.1:41234). Binaries, if not the defaults:
#   PIXIE_BIN        (default: <target>/release/pantry-pixie)
#   FAKE_OPENAI_BIN  (default: <target>/release/examples/fake_openai)
# where <target> is $CARGO_TARGET_DIR or the workspace's target/. Build them with
#   cargo build --release --bin pantry-pixie
#   cargo build --release -p pantry-openai --features fake --example fake_openai
set -euo pipefail

if [[ $# -eq 0 ]]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi

root="$(cd "$(dirname "$0")/../../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
pixie_bin="${PIXIE_BIN:-$target/release/pantry-pixie}"
fake_bin="${FAKE_OPENAI_BIN:-$target/release/examples/fake_openai}"
for bin in "$pixie_bin" "$fake_bin"; do
  if [[ ! -x "$bin" ]]; then
    echo "with-server: $bin is missing; build it first (see the top of $0)" >&2
    exit 1
  fi
done

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

data="$(mktemp -d -t pixie-with-server.XXXXXX)"
server_pid=""
fake_pid=""
cleanup() {
  # Only the two processes started here, by their ids.
  local pid
  for pid in $server_pid $fake_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$data"
}
trap cleanup EXIT

fake_port="$(free_port)"
"$fake_bin" --port "$fake_port" --words 24 --delay-ms 25 >"$data/fake.log" 2>&1 &
fake_pid=$!

port="$(free_port)"
(
  cd "$data"
  exec env PORT="$port" PIXIE_DATA_DIR="$data/data" \
    RATE_LIMIT_POINTS=100000 AUTH_RATE_LIMIT_POINTS=10000 WS_SESSION_CHECK_INTERVAL=1 \
    OPENAI_API_KEY=sk-fake OPENAI_BASE_URL="http://127.0.0.1:$fake_port/v1" LOG_LEVEL=warn \
    "$pixie_bin"
) >"$data/server.log" 2>&1 &
server_pid=$!

export PIXIE_URL="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  if curl -fsS "$PIXIE_URL/ready" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "with-server: the server exited:" >&2
    cat "$data/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "$PIXIE_URL/ready" >/dev/null || { echo "with-server: server not ready in 30 s" >&2; cat "$data/server.log" >&2; exit 1; }
echo "with-server: $PIXIE_URL (data in $data)" >&2

status=0
"$@" || status=$?
if [[ $status -ne 0 ]]; then
  echo "with-server: the command failed ($status); server log:" >&2
  tail -n 40 "$data/server.log" >&2
fi
exit "$status"
