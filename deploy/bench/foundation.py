#!/usr/bin/env python3
"""Foundation benchmarks for docs/performance.md: start-to-ready time on an empty SQLite data
dir, idle RSS, and GET /health throughput with the server's CPU time per request.

Usage: cargo build --release && python3 deploy/bench/foundation.py [--runs N] [--seconds S]
Needs wrk (apt-get install wrk). Talks to 127.0.0.1 only; every loop is bounded.
"""
import argparse, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "pantry-pixie")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(port, path):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64).decode("latin1")
            return int(head.split(" ")[1])
    except (OSError, IndexError, ValueError):
        return None


def start(port, data_dir):
    env = {"PATH": os.environ.get("PATH", ""), "PORT": str(port), "PIXIE_DATA_DIR": data_dir,
           "LOG_LEVEL": "warn"}
    return subprocess.Popen([BIN], env=env, cwd=data_dir, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_ready(proc, port, limit=10.0):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        if status_of(port, "/ready") == 200:
            return
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode}")
        time.sleep(0.0005)
    sys.exit("server not ready in time")


def proc_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])  # kB
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def startup(runs):
    times, rss = [], []
    for _ in range(runs):
        data = tempfile.mkdtemp(prefix="pixie-bench-")
        port = free_port()
        t0 = time.perf_counter()
        proc = start(port, data)
        wait_ready(proc, port)
        times.append((time.perf_counter() - t0) * 1000)
        time.sleep(2)
        rss.append(proc_field(proc.pid, "VmRSS") / 1024)
        stop(proc)
        shutil.rmtree(data, ignore_errors=True)
    return times, rss


def health_load(seconds, connections, threads):
    data = tempfile.mkdtemp(prefix="pixie-bench-")
    port = free_port()
    proc = start(port, data)
    wait_ready(proc, port)
    url = f"http://127.0.0.1:{port}/health"
    subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", "-d3s", url], capture_output=True)
    cpu0 = cpu_seconds(proc.pid)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True).stdout
    cpu1 = cpu_seconds(proc.pid)
    peak = proc_field(proc.pid, "VmHWM") / 1024
    stop(proc)
    shutil.rmtree(data, ignore_errors=True)
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, reqs, (cpu1 - cpu0) / reqs * 1e6, p99, peak, int(non2xx.group(1)) if non2xx else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    times, rss = startup(args.runs)
    print(f"start-to-ready (empty SQLite data dir, {args.runs} runs): median {statistics.median(times):.1f} ms, "
          f"min {min(times):.1f}, max {max(times):.1f}")
    print(f"idle RSS 2 s after ready: median {statistics.median(rss):.1f} MiB, max {max(rss):.1f}")
    rps, reqs, cpu_us, p99, peak, bad = health_load(args.seconds, args.connections, args.threads)
    print(f"GET /health, wrk -t{args.threads} -c{args.connections} -d{args.seconds}s: {rps:.0f} req/s "
          f"({reqs} requests, {bad} non-2xx), p99 {p99}, server CPU {cpu_us:.1f} us/request, peak RSS {peak:.1f} MiB")


if __name__ == "__main__":
    main()
