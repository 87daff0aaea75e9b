#!/usr/bin/env python3
"""Live-sync benchmarks for docs/performance.md: change-to-socket latency with many sockets in
one home, and server memory per idle socket.

Usage: cargo build --release -p pantry-app
       cargo build --release -p pantry-http --example live_load      # for --client rust
       python3 deploy/bench/live.py [--db sqlite|postgres] [--client rust|python]
       [--sockets 1000] [--changes 200] [--interval-ms 50] [--idle-sockets 10000]
Needs `pip install websockets` (13.x) and, for PostgreSQL, a server at 127.0.0.1:5432 (user
postgres, trust auth). Raise `ulimit -n` above the number of idle sockets plus a margin.

Latency: N sockets of one user subscribe to the home (the default); a writer creates one item
every interval over HTTP, one at a time; each socket records when the `inventory_update` frame
for that item arrives. Latency is arrival minus the moment the writer sent the request, so it
includes the write itself. The latency client is `crates/http/examples/live_load.rs` (Rust, one
thread) with `--client rust`, or this script's asyncio client with `--client python`, which
spends more CPU per frame than the server does. Memory: after that, more sockets are opened until the total is
`--idle-sockets`; the server's RSS before and after, over the number opened, is the cost of one
idle socket (kernel socket buffers are not in RSS).
"""
import argparse, asyncio, json, os, re, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import household  # noqa: E402  (the server harness)

RUST_CLIENT = os.path.join(household.ROOT, "target", "release", "examples", "live_load")

try:
    import websockets
except ImportError:
    sys.exit("pip install websockets")


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


async def open_socket(port, token):
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/api/ws", subprotocols=[f"auth-{token}"], max_queue=None,
        open_timeout=60, ping_interval=None)
    return ws


async def listen(ws, sent, arrivals, wanted):
    """Records the arrival of each `inventory_update` for an item named live<k>."""
    try:
        async for message in ws:
            now = time.perf_counter()
            frame = json.loads(message)
            if frame.get("type") != "inventory_update":
                continue
            name = ((frame.get("payload") or {}).get("item") or {}).get("name", "")
            if name.startswith("live"):
                k = int(name[4:])
                arrivals.append(now - sent[k])
                wanted[0] -= 1
    except websockets.ConnectionClosed:
        pass


async def writer(port, token, home, changes, interval, sent):
    loop = asyncio.get_running_loop()
    for k in range(changes):
        sent[k] = time.perf_counter()
        await loop.run_in_executor(None, household.api, port, "POST",
                                   f"/api/homes/{home}/items", token, {"name": f"live{k}"})
        await asyncio.sleep(interval)


async def run(args):
    server = household.Server(args.db, {"WS_MAX_SOCKETS_PER_USER": str(args.idle_sockets + 100)})
    try:
        token, home = household.sign_up(server, "Live")
        if args.client == "rust":
            cpu0 = server.cpu()
            out = subprocess.run([RUST_CLIENT, str(server.port), token, home, str(args.sockets),
                                  str(args.changes), str(args.interval_ms)],
                                 capture_output=True, text=True)
            cpu = server.cpu() - cpu0
            if out.returncode != 0:
                sys.exit(f"live_load failed: {out.stderr}")
            delivered = int(re.search(r"delivered (\d+)", out.stdout).group(1))
            print(f"| {args.db} | rust client: {args.sockets} sockets, {args.changes} changes every "
                  f"{args.interval_ms} ms | {out.stdout.strip()} | server CPU "
                  f"{cpu / max(delivered, 1) * 1e6:.1f} µs per delivered frame |")
        sockets = await asyncio.gather(*[open_socket(server.port, token) for _ in range(args.sockets)])
        await asyncio.sleep(1)
        if args.client == "rust":
            await idle_memory(server, token, sockets, args)
            return
        sent, arrivals = {}, []
        wanted = [args.sockets * args.changes]
        listeners = [asyncio.create_task(listen(ws, sent, arrivals, wanted)) for ws in sockets]
        cpu0 = server.cpu()
        await writer(server.port, token, home, args.changes, args.interval_ms / 1000, sent)
        deadline = time.time() + 10
        while wanted[0] > 0 and time.time() < deadline:
            await asyncio.sleep(0.05)
        cpu = server.cpu() - cpu0
        ms = [a * 1000 for a in arrivals]
        print(f"| {args.db} | {args.sockets} sockets, {args.changes} changes every "
              f"{args.interval_ms} ms | p50 {percentile(ms, 50):.1f} ms | p99 {percentile(ms, 99):.1f} ms"
              f" | max {max(ms):.1f} ms | delivered {len(ms)} of {args.sockets * args.changes} |"
              f" server CPU {cpu / max(len(ms), 1) * 1e6:.1f} µs per delivered frame |")
        for t in listeners:
            t.cancel()

        await idle_memory(server, token, sockets, args)
    finally:
        server.stop()


async def idle_memory(server, token, sockets, args):
    """Opens sockets up to `--idle-sockets` and reports the server's RSS per socket opened."""
    await asyncio.sleep(2)
    before, opened = server.rss_mib(), 0
    batch = 500
    extra = []
    while len(sockets) + len(extra) < args.idle_sockets:
        n = min(batch, args.idle_sockets - len(sockets) - len(extra))
        extra += await asyncio.gather(*[open_socket(server.port, token) for _ in range(n)])
    opened = len(extra)
    await asyncio.sleep(3)
    after = server.rss_mib()
    total = len(sockets) + opened
    print(f"| {args.db} | {total} idle sockets | RSS {before:.1f} MiB with {len(sockets)}, "
          f"{after:.1f} MiB with {total} | {(after - before) * 1024 / max(opened, 1):.1f} KiB "
          f"per idle socket |")
    await asyncio.gather(*[ws.close() for ws in sockets + extra], return_exceptions=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    ap.add_argument("--client", choices=["rust", "python"], default="rust")
    ap.add_argument("--sockets", type=int, default=1000)
    ap.add_argument("--changes", type=int, default=200)
    ap.add_argument("--interval-ms", type=int, default=50)
    ap.add_argument("--idle-sockets", type=int, default=10000)
    args = ap.parse_args()
    if not os.path.exists(household.BIN):
        sys.exit("build first: cargo build --release -p pantry-app")
    if args.client == "rust" and not os.path.exists(RUST_CLIENT):
        sys.exit("build first: cargo build --release -p pantry-http --example live_load")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
