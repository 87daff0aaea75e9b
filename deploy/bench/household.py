#!/usr/bin/env python3
"""Household API benchmarks for docs/performance.md: list items, create an item and toggle a
list item, on SQLite and on PostgreSQL, with wrk, reporting req/s, p50/p99 latency, the server's
CPU time per request and its peak RSS during each run (and its RSS when ready).

Usage: cargo build --release -p pantry-app && python3 deploy/bench/household.py [--db sqlite|postgres|both]
       [--seconds S] [--connections C] [--threads T] [--items N ...] [--homes H]
Needs wrk (apt-get install wrk) and, for PostgreSQL, a server at 127.0.0.1:5432 (user postgres,
trust auth); each run creates and drops its own database. Talks to 127.0.0.1 only.
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "pantry-pixie")
TICKS = os.sysconf("SC_CLK_TCK")
PG = "postgres://postgres@127.0.0.1:5432"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True,
                   capture_output=True)


class Server:
    def __init__(self, db, extra_env=None):
        self.data = tempfile.mkdtemp(prefix="pixie-bench-")
        self.port = free_port()
        self.pg_name = None
        env = {"PATH": os.environ.get("PATH", ""), "PORT": str(self.port), "PIXIE_DATA_DIR": self.data,
               "LOG_LEVEL": "warn", "RATE_LIMIT_POINTS": "100000000", "AUTH_RATE_LIMIT_POINTS": "100000"}
        env.update(extra_env or {})
        if db == "postgres":
            self.pg_name = f"pixie_bench_{os.getpid()}_{self.port}"
            psql(f"CREATE DATABASE {self.pg_name}")
            env["DATABASE_URL"] = f"{PG}/{self.pg_name}"
        self.proc = subprocess.Popen([BIN], env=env, cwd=self.data, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        t0 = time.time()
        while time.time() - t0 < 20:
            try:
                api(self.port, "GET", "/ready")
                return
            except OSError:
                if self.proc.poll() is not None:
                    sys.exit(f"server exited with {self.proc.returncode}")
                time.sleep(0.05)
        sys.exit("server not ready in time")

    def cpu(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def peak_rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def reset_peak(self):
        """Starts a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
            f.write("5")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.data, ignore_errors=True)
        if self.pg_name:
            psql(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")


LUA = """
local counter = 0
local tid = 0
local threads = {}
local paths = {%s}
local tokens = {%s}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  tid = tid + (tonumber(wrk.thread:get("tid")) or 0)
end
request = function()
  counter = counter + 1
  local i = (counter %% #paths) + 1
  local body = %s
  return wrk.format("%s", paths[i], {["Authorization"] = "Bearer " .. tokens[i], ["Content-Type"] = "application/json"}, body)
end
"""


def wrk(server, method, targets, body_expr, seconds, connections, threads):
    """Requests go round `targets`, a list of (path, token)."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    paths = ", ".join(json.dumps(p) for p, _ in targets)
    tokens = ", ".join(json.dumps(t) for _, t in targets)
    script.write(LUA % (paths, tokens, body_expr, method))
    script.close()
    url = f"http://127.0.0.1:{server.port}"
    base = ["wrk", f"-t{threads}", f"-c{connections}", "-s", script.name, "--latency"]
    subprocess.run(base + ["-d2s", url], capture_output=True)  # warm-up
    server.reset_peak()
    cpu0 = server.cpu()
    out = subprocess.run(base + [f"-d{seconds}s", url], capture_output=True, text=True).stdout
    cpu1 = server.cpu()
    os.unlink(script.name)
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1),
        "cpu_us": (cpu1 - cpu0) / max(reqs, 1) * 1e6,
        "peak_mib": server.peak_rss_mib(),
        "requests": reqs,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def sign_up(server, name):
    who = f"{name}{time.time_ns()}@example.com"
    reg = api(server.port, "POST", "/api/auth/register", body={
        "email": who, "password": "a long benchmark password", "name": name})["data"]
    return reg["token"], reg["user"]["homeId"]


NEW_ITEM = '\'{"name":"bench ' + "' .. tid .. '-' .. counter .. '" + '","quantity":2}\''


def scenario(db, items, args):
    server = Server(db)
    idle = server.rss_mib()
    try:
        token, home = sign_up(server, "Bench")
        for i in range(items):
            api(server.port, "POST", f"/api/homes/{home}/items", token,
                {"name": f"Item {i}", "quantity": 1 + i % 5, "category": "pantry"})
        # Sign-ups hash with argon2id (19 MiB per hashing thread, given back when no hash
        # waits): let that settle so the runs' peak RSS is the requests' own.
        time.sleep(1)
        results = {}
        results[f"GET items ({items} items)"] = wrk(
            server, "GET", [(f"/api/homes/{home}/items", token)], "nil",
            args.seconds, args.connections, args.threads)
        # Each request creates a new row (unique names: nothing merges). In one home every
        # write waits for the home's lock; households are independent, so also spread over
        # several homes, as a server with many households sees them.
        results["POST items (one home)"] = wrk(
            server, "POST", [(f"/api/homes/{home}/items", token)], NEW_ITEM,
            args.seconds, args.connections, args.threads)
        others = [sign_up(server, f"Home{i}") for i in range(args.homes)]
        time.sleep(1)
        results[f"POST items ({args.homes} homes)"] = wrk(
            server, "POST", [(f"/api/homes/{h}/items", t) for t, h in others], NEW_ITEM,
            args.seconds, args.connections, args.threads)
        lists = api(server.port, "GET", f"/api/homes/{home}/lists/default", token)["data"]
        added = api(server.port, "POST", f"/api/homes/{home}/lists/{lists['id']}/items/by-name",
                    token, {"name": "Milk"})["data"]
        entry = added["listItem"]["id"]
        results["PATCH toggle list item (one home)"] = wrk(
            server, "PATCH", [(f"/api/homes/{home}/lists/{lists['id']}/items/{entry}/toggle", token)],
            "nil", args.seconds, args.connections, args.threads)
    finally:
        server.stop()
    return results, idle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--items", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--homes", type=int, default=16, help="homes the spread-out writes go to")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release -p pantry-app")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"load average before: {os.getloadavg()[0]:.2f}; wrk -t{args.threads} -c{args.connections} "
          f"-d{args.seconds}s")
    print("| database | request | req/s | p50 | p99 | server CPU/request | peak RSS | non-2xx |")
    print("|---|---|---|---|---|---|---|---|")
    for db in dbs:
        for n in args.items:
            results, idle = scenario(db, n, args)
            for name, r in results.items():
                print(f"| {db} | {name} | {r['rps']:,.0f} | {r['p50']} | {r['p99']} | "
                      f"{r['cpu_us']:.0f} µs | {r['peak_mib']:.1f} MiB | {r['non2xx']} |")
            print(f"| {db} | RSS when ready (idle, empty database) | | | | | {idle:.1f} MiB | |")


if __name__ == "__main__":
    main()
