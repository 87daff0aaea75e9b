#!/usr/bin/env python3
"""Login capacity and the cost of a login flood to everyone else (docs/performance.md).

1. Starts the release binary (SQLite by default, or --database-url) with rate limits lifted.
2. Registers a user, then measures login capacity: closed loop, `--workers` concurrent clients
   for `--seconds`.
3. Measures GET /api/auth/me latency open-loop at `--me-rate` requests/s while idle, then
   again while logins are offered open-loop at `--flood-factor` x the measured capacity.
   Latency counts from each request's scheduled send time, so queueing is not hidden.

Usage: cargo build --release && python3 deploy/bench/login_flood.py [--database-url URL]
Talks to 127.0.0.1 only; every phase is bounded in time.
"""
import argparse, asyncio, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "pantry-pixie")
PASSWORD = "a long kitchen password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method, path, body=None, token=None):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        payload = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: x\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + payload)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        data = await self.reader.readexactly(length) if length else b""
        return int(status_line.split()[1]), data


async def closed_loop_logins(port, email, workers, seconds):
    done, errors = 0, 0
    deadline = time.perf_counter() + seconds

    async def worker():
        nonlocal done, errors
        conn = Conn(port)
        while time.perf_counter() < deadline:
            status, _ = await conn.request("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
            if status == 200:
                done += 1
            else:
                errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return done / (time.perf_counter() - start), errors


async def open_loop(port, rate, seconds, make_request, pool_size):
    """Sends `rate` requests/s for `seconds`; returns latencies (ms) from scheduled times."""
    pool = asyncio.Queue()
    for _ in range(pool_size):
        pool.put_nowait(Conn(port))
    latencies, statuses = [], {}
    interval = 1.0 / rate
    start = time.perf_counter()
    tasks = []

    async def one(scheduled):
        conn = await pool.get()
        try:
            status, _ = await make_request(conn)
        except (ConnectionError, asyncio.IncompleteReadError):
            status, conn = 0, Conn(port)
        pool.put_nowait(conn)
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append((time.perf_counter() - scheduled) * 1000)

    n = int(rate * seconds)
    for i in range(n):
        scheduled = start + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    return latencies, statuses


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def run(args, port, pid):
    conn = Conn(port)
    email = "bench@example.com"
    status, body = await conn.request("POST", "/api/auth/register", {"email": email, "password": PASSWORD, "name": "Bench"})
    assert status == 201, (status, body)
    token = json.loads(body)["data"]["token"]

    cpu0 = cpu_seconds(pid)
    capacity, errors = await closed_loop_logins(port, email, args.workers, args.seconds)
    cpu_ms = (cpu_seconds(pid) - cpu0) * 1000 / max(1, capacity * args.seconds)
    print(f"login capacity (closed loop, {args.workers} clients, {args.seconds} s): {capacity:.1f} logins/s, "
          f"{errors} errors, server CPU {cpu_ms:.1f} ms/login")

    me = lambda c: c.request("GET", "/api/auth/me", token=token)
    idle, idle_status = await open_loop(port, args.me_rate, args.seconds, me, 16)
    print(f"GET /api/auth/me idle at {args.me_rate}/s: p50 {pct(idle, 50):.2f} ms, p99 {pct(idle, 99):.2f} ms, statuses {idle_status}")

    flood_rate = capacity * args.flood_factor
    login = lambda c: c.request("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    flood = asyncio.create_task(open_loop(port, flood_rate, args.seconds, login, 512))
    await asyncio.sleep(1)  # let the flood build up before measuring
    busy, busy_status = await open_loop(port, args.me_rate, args.seconds - 2, me, 16)
    logins, login_status = await flood
    print(f"GET /api/auth/me during a login flood offered at {flood_rate:.0f}/s ({args.flood_factor}x capacity): "
          f"p50 {pct(busy, 50):.2f} ms, p99 {pct(busy, 99):.2f} ms, statuses {busy_status}")
    print(f"  ratio p99 flood/idle: {pct(busy, 99) / pct(idle, 99):.2f}")
    print(f"  logins in the flood: {login_status}, p50 {pct(logins, 50):.0f} ms, p99 {pct(logins, 99):.0f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--me-rate", type=int, default=100)
    ap.add_argument("--flood-factor", type=float, default=2.0)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    data = tempfile.mkdtemp(prefix="pixie-bench-")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "PIXIE_DATA_DIR": data, "LOG_LEVEL": "warn",
           "RATE_LIMIT_POINTS": "100000000", "AUTH_RATE_LIMIT_POINTS": "100000000"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    print(f"load average before: {os.getloadavg()[0]:.2f}; database: {args.database_url or 'SQLite (temp dir)'}")
    proc = subprocess.Popen([BIN], env=env, cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(2000):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.005)
        asyncio.run(run(args, port, proc.pid))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
