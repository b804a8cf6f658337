"""Load benchmark: N simulated users change the region through marimo's own protocol.

Each user is a tab of `jeugdmonitor.app.marimo_client` (GET / for the server token, the websocket
`/ws?session_id=…` until `completed-run`, POST `/api/kernel/set_ui_element_value` to set the
region dropdown, and the `./@file/` URLs a browser would fetch). Every server listens on
127.0.0.1 only. Configurations, measured one after the other in the same command:

- `baseline`: today's single process, `marimo run monitor.py` of the base commit (a temporary git
  worktree of `--baseline-ref`, by default `BASELINE_REF`, the code before the shared-app work);
- `single`: this code, one `marimo run monitor.py` process, the README's first command (no
  proxy; its first page starts the precompute of every region into this machine's view store,
  and after phase 1 the benchmark waits until that is done, as for `nginx`);
- `nginx`: this code, `jeugdmonitor serve --workers N` (N workers behind nginx, warmed up; after
  phase 1 the benchmark waits until serve's background precompute of every region is done);
- `--url URL` instead drives a server that is already running (e.g. your own nginx).

Per configuration, in phases:
1. the first user opens the app and changes the region once (a gemeente the warm-up did not
   open), then to three more such gemeenten: "first change" against the median of those "warm"
   changes (each of the four is new to the server, so neither is served from its region cache);
2. the other users open the app; server memory (RSS of the whole process tree) before and after
   gives the memory per extra session;
3. every user changes the region `--changes` times, waiting an exponential think time (mean
   `--think` s) before each, regions drawn from a seeded pool of `--pool` regions (0 = all);
   p50 / p95 / max of a change, throughput (changes/s while the phase ran), errors, and the bytes a
   change sends (websocket messages, plus files fetched for it).

A change is timed as a browser needs it: from the POST that sets the dropdown until
`completed-run` AND every new `./@file/` file the page then needs (the sections' gzip files, and
the chart templates and maps they name), fetched six at a time ("run + files"). "run only" (until
`completed-run`) is printed beside it: it leaves out what the browser still has to fetch. Neither
includes drawing the charts in the browser: `bench_browser.py` measures that.

Usage: python bench/bench_load.py [--users 20] [--changes 5] [--think 2] [--configs baseline,nginx]
       [--workers 2] [--pool 30] [--time-limit 300] [--json FILE] [--url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from jeugdmonitor.app.marimo_client import ProtocolError, Render, Tab
from jeugdmonitor.app.serve import warm_up_labels

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_PREFIX = "—"  # the "kies een regio" option


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


def _commands(pid: int) -> str:
    """The command lines of a process's descendants, as one text."""
    found = []
    with contextlib.suppress(psutil.NoSuchProcess):
        for p in psutil.Process(pid).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                found.append(" ".join(p.cmdline()))
    return "\n".join(found)


# ----------------------------------------------------------------------------------- servers


@dataclass
class Server:
    url: str
    pid: int | None  # None: an existing server we do not own (memory not measured)
    proc: subprocess.Popen | None = None
    precomputed: threading.Event | None = None  # set when serve's background precompute is done


def _wait_http(url: str, proc: subprocess.Popen | None, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def baseline_tree(ref: str) -> Iterator[Path]:
    """A temporary git worktree of the base commit (removed afterwards)."""
    tmp = Path(tempfile.mkdtemp(prefix="jm-baseline-"))
    path = tmp / "baseline"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(path), ref],
        check=True,
    )
    try:
        yield path
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False
        )
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def marimo_run(cwd: Path, ttl: int) -> Iterator[Server]:
    """`marimo run monitor.py` in `cwd` (its own `jeugdmonitor` package first on the path)."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    cmd = [sys.executable, "-m", "marimo", "run", "monitor.py", "--headless", "--no-token"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--session-ttl", str(ttl)]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_http(url, proc)
        # this code's plain `marimo run` precomputes every region into the machine's view
        # store once the first page opened; phase 1 waits for that process to end
        done = threading.Event()
        done.set()
        yield Server(url, proc.pid, proc, done)
    finally:
        _stop(proc)


@contextlib.contextmanager
def jeugdmonitor_serve(
    workers: int, ttl: int, extra: list[str], root: Path = ROOT
) -> Iterator[Server]:
    """`jeugdmonitor serve --workers N` of the code in `root` (nginx + warmed-up workers);
    ready when it says so."""
    port = free_port()
    cmd = [sys.executable, "-m", "jeugdmonitor.cli", "serve", "--workers", str(workers)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--session-ttl", str(ttl), *extra]
    env = {**os.environ, "PYTHONPATH": str(root)}  # that tree's `jeugdmonitor` package first
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, text=True, bufsize=1)
    ready, precomputed = threading.Event(), threading.Event()
    if "--no-precompute" in extra:
        precomputed.set()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            print("  serve:", line.rstrip(), flush=True)
            if "ready" in line:
                ready.set()
            if "precomputed" in line:
                precomputed.set()
        ready.set()
        precomputed.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(300) or proc.poll() is not None:
            raise RuntimeError("jeugdmonitor serve did not become ready")
        url = f"http://127.0.0.1:{port}"
        _wait_http(url, proc)
        yield Server(url, proc.pid, proc, precomputed)
    finally:
        _stop(proc)


# ---------------------------------------------------------------------------------- workload


@dataclass
class Result:
    config: str
    users: int
    changes: int = 0
    p50: float = float("nan")  # POST until completed-run AND the files the browser fetches
    p95: float = float("nan")
    p50_run: float = float("nan")  # POST until completed-run only (what the kernel took)
    p95_run: float = float("nan")
    max: float = float("nan")
    throughput: float = float("nan")  # changes per second during the load phase
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    kb_per_change: float = float("nan")  # websocket + files, mean
    kb_per_change_max: float = float("nan")
    ws_kb_per_change: float = float("nan")
    first_change: float = float("nan")
    warm_change: float = float("nan")
    rss_idle_mib: float = float("nan")
    rss_one_mib: float = float("nan")
    rss_all_mib: float = float("nan")
    rss_peak_mib: float = float("nan")
    mib_per_extra_session: float = float("nan")
    precompute_wait_s: float = float("nan")  # waited after phase 1 for serve's precompute


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_load(server: Server, name: str, args: argparse.Namespace) -> Result:
    rng = random.Random(args.seed)
    result = Result(config=name, users=args.users)
    headers = {}
    if args.basic_auth:
        import base64

        headers["Authorization"] = "Basic " + base64.b64encode(args.basic_auth.encode()).decode()
    query = {"access_token": args.access_token} if args.access_token else {}

    def new_tab() -> Tab:
        return Tab(server.url, headers=headers, query=query, timeout=args.change_timeout)

    def rss_mib() -> float:
        return tree_rss(server.pid) / 2**20 if server.pid else float("nan")

    errors: list[str] = []
    renders: list[Render] = []
    result.rss_idle_mib = rss_mib()

    # phase 1: the first visitor
    first = new_tab()
    await first.open()
    options = [o for o in first.options if not o.startswith(PLACEHOLDER_PREFIX)]
    if not options:
        raise RuntimeError("the page has no region dropdown")
    warmed = set(warm_up_labels(options))  # what `jeugdmonitor serve` opened at start
    # first and warm changes compare like with like: gemeenten (the heaviest regions) the
    # warm-up did not open
    fresh = [o for o in options if o.startswith("Gemeente · ") and o not in warmed]
    rng.shuffle(fresh)
    pool = (
        sorted(options)
        if args.pool <= 0
        else sorted(rng.sample(options, min(args.pool, len(options))))
    )
    solo = [await first.choose(label) for label in fresh[:4]]
    result.first_change = solo[0].seconds
    result.warm_change = statistics.median(r.seconds for r in solo[1:])
    if server.precomputed is not None:  # the steady state: every region rendered once
        t0 = time.perf_counter()
        await asyncio.to_thread(server.precomputed.wait, 900)
        # … and its process has gone (its memory is not a session's)
        while (
            "jeugdmonitor.app.precompute" in _commands(server.pid)
            and time.perf_counter() - t0 < 900
        ):
            await asyncio.sleep(0.5)
        result.precompute_wait_s = time.perf_counter() - t0
    result.rss_one_mib = rss_mib()

    # phase 2: everyone opens the app
    tabs = [first]

    async def open_tab(delay: float) -> Tab | None:
        await asyncio.sleep(delay)
        tab = new_tab()
        try:
            await tab.open()
            return tab
        except ProtocolError as exc:
            errors.append(f"open: {exc}")
            return None

    opened = await asyncio.gather(*(open_tab(0.05 * i) for i in range(args.users - 1)))
    tabs += [t for t in opened if t is not None]
    await asyncio.sleep(1.0)
    result.rss_all_mib = rss_mib()
    if args.users > 1:
        result.mib_per_extra_session = (result.rss_all_mib - result.rss_one_mib) / (args.users - 1)

    # phase 3: region changes with think time
    peak = result.rss_all_mib
    stop_sampling = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not stop_sampling.is_set():
            peak = max(peak, rss_mib())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_sampling.wait(), 0.5)

    deadline = time.monotonic() + args.time_limit
    latencies: list[float] = []
    run_only: list[float] = []

    async def user(tab: Tab, seed: int) -> None:
        user_rng = random.Random(seed)
        for _ in range(args.changes):
            if args.think > 0:
                await asyncio.sleep(user_rng.expovariate(1 / args.think))
            if time.monotonic() > deadline:
                return
            label = user_rng.choice(pool)
            try:
                render = await tab.choose(label)
            except ProtocolError as exc:
                errors.append(f"change to {label}: {exc}")
                continue
            latencies.append(render.seconds)
            run_only.append(render.run_seconds)
            renders.append(render)
            errors.extend(f"cell error after {label}: {e[:200]}" for e in render.errors)

    sampler = asyncio.create_task(sample())
    t0 = time.perf_counter()
    await asyncio.gather(*(user(tab, args.seed * 1000 + i) for i, tab in enumerate(tabs)))
    elapsed = time.perf_counter() - t0
    stop_sampling.set()
    await sampler
    for tab in tabs:
        await tab.close()

    result.changes = len(latencies)
    result.p50 = statistics.median(latencies) if latencies else float("nan")
    result.p95 = _pct(latencies, 0.95)
    result.max = max(latencies, default=float("nan"))
    result.p50_run = statistics.median(run_only) if run_only else float("nan")
    result.p95_run = _pct(run_only, 0.95)
    result.throughput = len(latencies) / elapsed if elapsed > 0 else float("nan")
    result.errors = len(errors) + (args.users - len(tabs))
    result.error_samples = errors[:5]
    if renders:
        sizes = [(r.ws_bytes + r.file_bytes) / 1000 for r in renders]
        result.kb_per_change = statistics.mean(sizes)
        result.kb_per_change_max = max(sizes)
        result.ws_kb_per_change = statistics.mean(r.ws_bytes / 1000 for r in renders)
    result.rss_peak_mib = max(peak, rss_mib())
    return result


async def background_users(
    url: str, users: int, think: float, stop: threading.Event, latencies: list[float], seed: int = 7
) -> None:
    """`users` protocol users on `url`, each changing to a random region after an exponential
    think time (mean `think` s), until `stop` is set; each change's seconds go to `latencies`
    (a load for another measurement, e.g. `bench_browser.py`)."""

    async def user(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        await asyncio.sleep(0.05 * i)
        tab = Tab(url, timeout=120)
        try:
            await tab.open()
            options = [o for o in tab.options if not o.startswith(PLACEHOLDER_PREFIX)]
            while not stop.is_set():
                await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)
                if stop.is_set():
                    break
                latencies.append((await tab.choose(rng.choice(options))).seconds)
        except ProtocolError:
            pass
        finally:
            await tab.close()

    await asyncio.gather(*(user(i) for i in range(users)))


# ------------------------------------------------------------------------------------ report

ROWS = [
    ("changes", "changes", "{:.0f}"),
    ("p50 s (run + files)", "p50", "{:.2f}"),
    ("p95 s (run + files)", "p95", "{:.2f}"),
    ("p50 s (run only)", "p50_run", "{:.2f}"),
    ("p95 s (run only)", "p95_run", "{:.2f}"),
    ("max s", "max", "{:.2f}"),
    ("changes/s", "throughput", "{:.2f}"),
    ("errors", "errors", "{:.0f}"),
    ("KB/change (ws+files)", "kb_per_change", "{:.0f}"),
    ("KB/change max", "kb_per_change_max", "{:.0f}"),
    ("KB/change (ws only)", "ws_kb_per_change", "{:.0f}"),
    ("first change s", "first_change", "{:.2f}"),
    ("warm change s", "warm_change", "{:.2f}"),
    ("first / warm", None, "{:.2f}"),
    ("RSS idle MiB", "rss_idle_mib", "{:.0f}"),
    ("RSS 1 session MiB", "rss_one_mib", "{:.0f}"),
    ("RSS all sessions MiB", "rss_all_mib", "{:.0f}"),
    ("RSS peak MiB", "rss_peak_mib", "{:.0f}"),
    ("MiB per extra session", "mib_per_extra_session", "{:.1f}"),
    ("precompute wait s", "precompute_wait_s", "{:.0f}"),
]


def print_table(results: list[Result]) -> None:
    names = [r.config for r in results]
    width = 24
    print(f"\n{'measure':<{width}}" + "".join(f"{n:>14}" for n in names))
    for title, attr, fmt in ROWS:
        cells = []
        for r in results:
            value = r.first_change / r.warm_change if attr is None else getattr(r, attr)
            cells.append(fmt.format(value))
        print(f"{title:<{width}}" + "".join(f"{c:>14}" for c in cells))
    base = next((r for r in results if r.config == "baseline"), None)
    if base is None:
        return
    print("\nratios against baseline (same run):")
    for r in results:
        if r is base:
            continue
        print(
            f"  {r.config}: throughput ×{r.throughput / base.throughput:.2f}, "
            f"p95 ×{r.p95 / base.p95:.2f}, KB/change ×{r.kb_per_change / base.kb_per_change:.2f}, "
            f"MiB/extra session ×{r.mib_per_extra_session / base.mib_per_extra_session:.2f}, "
            f"first change ×{r.first_change / base.first_change:.2f}"
        )


# The code as it was before the shared-app work (one `marimo run`, every chart spec sent whole):
# the "today" that the throughput, latency and payload targets are ratios against.
BASELINE_REF = "d836578"


def default_baseline_ref() -> str:
    """The fixed pre-serve commit when this clone has it, else HEAD."""
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", BASELINE_REF + "^{commit}"],
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() or "HEAD"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--changes", type=int, default=5, help="region changes per user (phase 3)")
    ap.add_argument("--think", type=float, default=2.0, help="mean think time in s (0 = none)")
    ap.add_argument("--pool", type=int, default=30, help="regions to draw from (0 = all)")
    ap.add_argument("--time-limit", type=float, default=300, help="s for phase 3")
    ap.add_argument("--change-timeout", type=float, default=120, help="s before a change fails")
    ap.add_argument("--configs", default="baseline,single,nginx")
    ap.add_argument("--workers", type=int, default=2, help="workers for the nginx config")
    ap.add_argument("--session-ttl", type=int, default=120)
    ap.add_argument("--serve-args", default="", help="more options for jeugdmonitor serve")
    ap.add_argument(
        "--baseline-ref", default=None, help="git ref of the baseline (default BASELINE_REF)"
    )
    ap.add_argument("--url", help="drive this running server instead of starting one")
    ap.add_argument("--basic-auth", help="USER:PASSWORD for a server behind nginx basic auth")
    ap.add_argument("--access-token", help="marimo --token-password of the server")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args()

    print(f"load: {os.getloadavg()[0]:.2f} (1 min average) on {os.cpu_count()} cores")
    results: list[Result] = []
    if args.url:
        results.append(asyncio.run(run_load(Server(args.url, None), "url", args)))
    for name in [c.strip() for c in args.configs.split(",")] if not args.url else []:
        t0 = time.perf_counter()
        if name == "baseline":
            ref = args.baseline_ref or default_baseline_ref()
            print(f"baseline: marimo run monitor.py at {ref[:10]}", flush=True)
            with baseline_tree(ref) as tree, marimo_run(tree, args.session_ttl) as server:
                results.append(asyncio.run(run_load(server, name, args)))
        elif name == "single":
            print("single: marimo run monitor.py (this code, one process)", flush=True)
            with marimo_run(ROOT, args.session_ttl) as server:
                results.append(asyncio.run(run_load(server, name, args)))
        elif name == "nginx":
            print(f"nginx: jeugdmonitor serve --workers {args.workers}", flush=True)
            with jeugdmonitor_serve(
                args.workers, args.session_ttl, args.serve_args.split()
            ) as server:
                results.append(asyncio.run(run_load(server, name, args)))
        else:
            raise SystemExit(f"unknown config {name!r}")
        print(f"  … {time.perf_counter() - t0:.0f} s", flush=True)
    print_table(results)
    print(f"load: {os.getloadavg()[0]:.2f} (1 min average) at the end")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
