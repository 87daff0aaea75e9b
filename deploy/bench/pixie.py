#!/usr/bin/env python3
"""Pixie benchmarks for docs/performance.md: the latency our server adds between the model's
first token and the client's first `ui_message`, and chat turns per second against a model
that answers at once, with the server's CPU time per turn.

Usage: cargo build --release -p pantry-app -p pantry-http --example pixie_load \
         && python3 deploy/bench/pixie.py [--db sqlite|postgres|both] [--turns N] [--seconds S] [--homes H]
The fake OpenAI server runs inside the load client (crates/http/examples/pixie_load.rs), so
the model's and the client's timestamps come from one clock. Talks to 127.0.0.1 only.
"""
import argparse, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from household import ROOT, Server, api, free_port, sign_up  # noqa: E402

CLIENT = os.path.join(ROOT, "target", "release", "examples", "pixie_load")


def home_with_thread(server, name):
    token, home = sign_up(server, name)
    thread = api(server.port, "POST", f"/api/homes/{home}/chat/threads", token, {"title": "Bench"})
    return token, home, thread["data"]["id"]


def run(db, args):
    fake_port = free_port()
    env = {"OPENAI_API_KEY": "sk-fake", "OPENAI_BASE_URL": f"http://127.0.0.1:{fake_port}/v1",
           "PIXIE_CHAT_RATE": "0", "PIXIE_TOKEN_BUDGET": "0",
           "WS_MESSAGE_RATE": "100000", "WS_MESSAGE_BURST": "100000"}
    server = Server(db, env)
    try:
        token, home, thread = home_with_thread(server, "latency")
        out = subprocess.run([CLIENT, str(fake_port), str(server.port), "latency", str(args.turns),
                              token, home, thread], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"pixie_load latency failed: {out.stderr.strip()}")
        print(f"[{db}] {out.stdout.strip()}")
        specs = [":".join(home_with_thread(server, f"load{n}")) for n in range(args.homes)]
        cpu0 = server.cpu()
        out = subprocess.run([CLIENT, str(fake_port), str(server.port), "throughput", str(args.seconds)]
                             + specs, check=True, capture_output=True, text=True)
        cpu = server.cpu() - cpu0
        line = out.stdout.strip()
        turns = int(line.split("turns=")[1].split()[0])
        print(f"[{db}] {line} server_cpu_per_turn_ms={1000 * cpu / max(turns, 1):.2f} "
              f"peak_rss_mib={server.peak_rss_mib():.1f}")
    finally:
        server.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--db", default="both", choices=["sqlite", "postgres", "both"])
    p.add_argument("--turns", type=int, default=200)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--homes", type=int, default=8)
    args = p.parse_args()
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        run(db, args)


if __name__ == "__main__":
    main()
