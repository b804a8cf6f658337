"""`jeugdmonitor serve`: the app for a whole organisation, several workers behind nginx.

One `marimo run` process serves all its sessions from one Python interpreter, so the GIL caps it
at about one core. `serve` starts N workers (`marimo run monitor.py`), warms each up (a session
that opens a region of every type, so the first visitor does not pay for loading data, fitting
the model and compiling the chart templates), and then Debian's nginx in front of them, as a
child process with its own prefix and temporary folders (not the system service). nginx routes
every request of a session to the worker that holds it (`deploy/nginx.conf`).

Several machines: start workers on each with `jeugdmonitor serve --worker-only`, and one nginx
with `--upstream HOST:PORT` for each of them (plus its own `--workers`, or `--workers 0`). All
workers must share `--secret-file` (marimo's server token and login cookie are derived from it)
and run the same code and data.

Access: `--basic-auth FILE` (an htpasswd file; `jeugdmonitor htpasswd` writes one) makes nginx ask
for a user name and password; `--token-password` / `--token-password-file` turns on marimo's own
login page on every worker. The default address is 127.0.0.1: nothing is reachable from other
machines unless `--host` says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import hashlib
import ipaddress
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from jeugdmonitor.app import viewstore

DEFAULT_PORT = 2718
DEFAULT_TTL = 120  # marimo's default: seconds a session lives on after its tab closed
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
REGION_TYPE_PREFIXES = (  # dropdown label prefixes, one region of each is warmed up
    "Gemeente · ",
    "Samenwerkingsverband po · ",
    "Samenwerkingsverband vo · ",
    "Jeugdregio · ",
    "Provincie · ",
    "Nederland",
)


class ServeError(RuntimeError):
    """The deployment cannot start: nginx missing, a worker that does not come up, bad options."""


def default_notebook() -> Path:
    """`monitor.py` beside the package (the repository layout)."""
    return Path(__file__).resolve().parents[2] / "monitor.py"


def find_nginx() -> str:
    """The nginx binary, or a clear error that says how to install it."""
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise ServeError("nginx not found: install Debian's nginx (sudo apt-get install nginx)")


def free_port(host: str = "127.0.0.1") -> int:
    """A free TCP port on `host`."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def local_addresses(n: int) -> list[str]:
    """`n` loopback addresses 127.0.0.1, 127.0.0.2, … sharing one free port.

    marimo names its login cookie after the port it listens on (`session_<port>`), so with
    `--token-password` a cookie from one worker is only read by another on the same port.
    Linux answers on all of 127.0.0.0/8, so every local worker gets its own address instead.
    """
    hosts = [f"127.0.0.{i + 1}" for i in range(n)]
    for _ in range(50):
        port = free_port(hosts[0])
        try:
            for host in hosts[1:]:
                with socket.socket() as s:
                    s.bind((host, port))
        except OSError:
            continue
        return [f"{host}:{port}" for host in hosts]
    raise ServeError(f"no port free on all of {', '.join(hosts)}")


def worker_tag(address: str) -> str:
    """A worker's tag (8 hex digits of its address as nginx reaches it): the app puts it in the
    names of the files the worker publishes, and nginx sends GETs of those files there."""
    return hashlib.sha1(address.encode("utf-8")).hexdigest()[:8]


def warm_up_labels(options: Sequence[str]) -> list[str]:
    """The dropdown labels a warm-up opens: the first region of every type, and Nederland."""
    labels = []
    for prefix in REGION_TYPE_PREFIXES:
        label = next((o for o in options if o.startswith(prefix)), None)
        if label is not None:
            labels.append(label)
    return labels


# --------------------------------------------------------------------------------- secrets


@dataclass(frozen=True)
class Secrets:
    """What every worker must share: Python's hash seed (marimo derives its server token from a
    hash of the notebook) and marimo's session secret (signs the login cookie)."""

    hash_seed: int
    session_secret: str

    @classmethod
    def from_text(cls, text: str) -> Secrets:
        digest = hashlib.sha256(text.strip().encode("utf-8")).hexdigest()
        return cls(hash_seed=int(digest[:8], 16), session_secret=digest[8:])

    @classmethod
    def from_file(cls, path: Path | None) -> Secrets:
        """From `path` (created with a random secret, mode 0600, when missing), else random."""
        if path is None:
            return cls.from_text(secrets.token_hex(32))
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
        return cls.from_text(path.read_text(encoding="utf-8"))

    def env(self) -> dict[str, str]:
        return {"PYTHONHASHSEED": str(self.hash_seed), "MARIMO_SESSION_SECRET": self.session_secret}


# ------------------------------------------------------------------------------ nginx config


def _listen(host: str, port: int) -> str:
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]:{port}"
    except ValueError:
        pass
    return f"{host}:{port}"


def nginx_config(
    *,
    prefix: Path,
    listen_host: str,
    listen_port: int,
    upstreams: Sequence[str],
    htpasswd: Path | None = None,
    access_log: Path | None = None,
    user: str | None = None,
    static_files: Path | None = None,
) -> str:
    """The nginx configuration for these workers (`deploy/nginx.conf` with its fields filled).

    With `static_files` (the view store's folder of published files) nginx sends the files it
    finds there itself, without a Python worker; others still go to the worker that has them."""
    if not upstreams:
        raise ServeError("no workers: give --workers N or --upstream HOST:PORT")
    template = resources.files("jeugdmonitor").joinpath("app/deploy/nginx.conf").read_text("utf-8")
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    tags = [worker_tag(u) for u in upstreams]
    worker_upstreams = "\n".join(
        f"    upstream jm_w{t} {{\n        server {u};\n    }}"
        for t, u in zip(tags, upstreams, strict=True)
    )
    worker_files = "\n".join(f"        ~^/@file/[0-9]+-jm{t}- jm_w{t};" for t in tags)
    auth = ""
    strip_auth = ""
    if htpasswd is not None:
        auth = f'        auth_basic "Jeugdmonitor";\n        auth_basic_user_file {htpasswd};'
        # marimo never sees the nginx password (it would take it for its own token)
        strip_auth = '        proxy_set_header Authorization "";'
    static = ""
    if static_files is not None:
        static = (
            "        # the app's published files in this machine's view store: nginx sends them\n"
            '        location ~ "^/@file/[0-9]+-jm[0-9A-Za-z]*-(?<jm_hash>[0-9a-f]{20}\\.(json|js|bin))$" {\n'
            f"            root {static_files};\n"
            "            try_files /jm-$jm_hash @jm_file;\n"
            "            error_page 403 = @jm_file;\n"
            "            types { application/json json; application/javascript js; "
            "application/octet-stream bin; }\n"
            '            add_header Cache-Control "max-age=86400";\n'
            "        }"
        )
    fields = {
        "static_files": static,
        "prefix": str(prefix),
        "user": f"user {user};" if user else "",
        "access_log": str(access_log) if access_log else "off",
        "servers": servers,
        "worker_upstreams": worker_upstreams,
        "worker_files": worker_files,
        "listen": _listen(listen_host, listen_port),
        "auth": auth,
        "strip_auth": strip_auth,
    }
    return re.sub("@(" + "|".join(fields) + ")@", lambda m: fields[m.group(1)], template)


def _static_folder(views: Path, prefix: Path) -> Path:
    """The view store's folder of published files, made reachable for nginx's own user."""
    files = viewstore.ViewStore(views).files
    files.mkdir(parents=True, exist_ok=True)
    if _worker_user():  # nginx's workers run as another user: let them through (not list)
        for folder in (prefix, views, files):
            folder.chmod(folder.stat().st_mode | 0o111)
    return files


# ---------------------------------------------------------------------------------- workers


@dataclass
class Deployment:
    """The child processes of one `serve` run."""

    workers: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    helpers: list[subprocess.Popen] = field(default_factory=list)  # may finish (precompute)
    addresses: list[str] = field(default_factory=list)  # host:port of the local workers

    def processes(self) -> list[subprocess.Popen]:
        """The processes that must keep running."""
        return [*self.workers, *([self.nginx] if self.nginx else [])]

    def named(self) -> list[tuple[str, subprocess.Popen]]:
        """The processes that must keep running, each with a name for messages."""
        names = [f"worker {a}" for a in self.addresses]
        pairs = list(zip(names, self.workers, strict=False))
        return [*pairs, *([("nginx", self.nginx)] if self.nginx else [])]

    def stop(self) -> None:
        for proc in [*self.helpers, *reversed(self.processes())]:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 20
        for proc in [*self.helpers, *self.processes()]:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def child(cmd: Sequence[str], **kwargs: object) -> subprocess.Popen:
    """A child process of `serve` in a session of its own: the terminal's Ctrl-C (SIGINT to the
    foreground process group) reaches `serve` only, which then stops its children in order,
    so no worker or helper dies half-way printing a traceback or ends before `serve` knows."""
    return subprocess.Popen(list(cmd), start_new_session=True, **kwargs)  # type: ignore[call-overload]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:  # 401 behind a login is an answer too
                return
        except OSError:
            pass
        if proc.poll() is not None:
            raise ServeError(f"{what} exited with code {proc.returncode}")
        if time.monotonic() > deadline:
            raise ServeError(f"{what} did not answer at {url} within {timeout:.0f} s")
        time.sleep(0.25)


def start_worker(
    notebook: Path,
    host: str,
    port: int,
    *,
    env: dict[str, str],
    session_ttl: int,
    token_file: Path | None,
    tag: str,
) -> subprocess.Popen:
    """One `marimo run` worker (read-only app, no browser) on host:port."""
    from jeugdmonitor.app.transport import WORKER_TAG_ENV

    # marimo run, with Python's compiler used by one thread at a time (see jeugdmonitor.app.worker)
    cmd = [sys.executable, "-m", "jeugdmonitor.app.worker", "run", str(notebook), "--headless"]
    cmd += ["--host", host, "--port", str(port), "--session-ttl", str(session_ttl)]
    cmd += ["--token-password-file", str(token_file)] if token_file else ["--no-token"]
    env = {**os.environ, **env, WORKER_TAG_ENV: tag}
    return child(cmd, cwd=notebook.parent, env=env, stdout=subprocess.DEVNULL)


def warm_up(address: str, access_token: str | None = None) -> float:
    """Open a session on one worker and choose a region of every type; seconds it took."""
    from jeugdmonitor.app.marimo_client import Tab

    async def run() -> None:
        query = {"access_token": access_token} if access_token else {}
        tab = Tab(f"http://{address}", query=query, fetch_files=False, timeout=600)
        await tab.open()
        try:
            for label in warm_up_labels(tab.options):
                await tab.choose(label)
        finally:
            await tab.close()

    t0 = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - t0


def _warm_all(addresses: Sequence[str], access_token: str | None) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, len(addresses))) as pool:
        seconds = list(pool.map(lambda a: warm_up(a, access_token), addresses))
    for address, s in zip(addresses, seconds, strict=True):
        print(f"  warmed up {address} in {s:.1f} s", flush=True)


def _worker_user() -> str | None:
    """nginx's `user` line: as root, the workers run as nobody (never as root)."""
    if os.geteuid() != 0:
        return None
    import grp
    import pwd

    nobody = pwd.getpwnam("nobody")
    return f"nobody {grp.getgrgid(nobody.pw_gid).gr_name}"


@contextlib.contextmanager
def _prefix() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="jeugdmonitor-nginx-"))
    try:
        path.chmod(0o711)  # nginx's own workers (nobody, when started as root) pass through
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    """Start workers (and nginx), wait until stopped; 0 on Ctrl-C / SIGTERM."""
    notebook = Path(args.notebook) if args.notebook else default_notebook()
    if not notebook.exists():
        raise ServeError(f"{notebook}: notebook not found (give --notebook PATH)")
    if args.workers < 0 or (args.workers == 0 and not args.upstream):
        raise ServeError("--workers must be at least 1 (or 0 with --upstream HOST:PORT)")
    nginx = None if args.worker_only else find_nginx()
    token = _token(args)
    shared = Secrets.from_file(args.secret_file)
    deployment = Deployment()
    _stop_on_signals()
    with _prefix() as prefix:
        token_file = None
        if token:
            token_file = prefix / "token"
            token_file.write_text(token, encoding="utf-8")
            token_file.chmod(0o600)
        try:
            advertised: list[str] = []
            if args.worker_only:
                addresses = [f"{args.host}:{args.port + i}" for i in range(args.workers)]
                # the addresses the nginx machine uses (its --upstream): they name the tags
                public = args.advertise or args.host
                if public in ("0.0.0.0", "::"):
                    raise ServeError("with --host 0.0.0.0 give --advertise HOST (as nginx uses it)")
                advertised = [f"{public}:{args.port + i}" for i in range(args.workers)]
                if token and args.workers > 1:
                    print(
                        "  note: marimo's login cookie is named after the port, so with "
                        "--token-password a browser logs in again on each of these workers; "
                        "run one worker per machine, or use --basic-auth on the nginx machine",
                        flush=True,
                    )
            else:
                addresses = local_addresses(args.workers) if args.workers else []
            views = args.view_store or prefix / "views"  # every region's packed sections
            for i, address in enumerate(addresses):
                host, port = address.rsplit(":", 1)
                deployment.workers.append(
                    start_worker(
                        notebook,
                        host,
                        int(port),
                        env={**shared.env(), viewstore.ENV: str(views)},
                        session_ttl=args.session_ttl,
                        token_file=token_file,
                        tag=worker_tag(advertised[i] if advertised else address),
                    )
                )
                deployment.addresses.append(address)
            for address, proc in zip(deployment.addresses, deployment.workers, strict=True):
                _wait_http(f"http://{address}/health", proc, 180, f"worker {address}")
                print(f"  worker http://{address}", flush=True)
            if args.warm_up and deployment.addresses:
                local = [a.replace("0.0.0.0", "127.0.0.1") for a in deployment.addresses]
                _warm_all(local, token)
            if args.precompute and deployment.addresses:
                # at the lowest priority, so colleagues never wait for it; it prints when done
                deployment.helpers.append(
                    child(
                        [sys.executable, "-m", "jeugdmonitor.app.precompute", str(views)],
                        cwd=notebook.parent,
                    )
                )
            if args.worker_only:
                upstreams = " ".join(f"--upstream {a}" for a in advertised)
                print(f"Jeugdmonitor workers ready; on the nginx machine: {upstreams}", flush=True)
            else:
                htpasswd = None
                if args.basic_auth:
                    htpasswd = prefix / "htpasswd"
                    shutil.copyfile(args.basic_auth, htpasswd)
                    user = _worker_user()
                    if user:  # readable by nginx's workers, not by everyone
                        import grp

                        os.chown(htpasswd, 0, grp.getgrnam(user.split()[1]).gr_gid)
                    htpasswd.chmod(0o640)
                config = prefix / "nginx.conf"
                config.write_text(
                    nginx_config(
                        prefix=prefix,
                        listen_host=args.host,
                        listen_port=args.port,
                        upstreams=[*deployment.addresses, *args.upstream],
                        htpasswd=htpasswd,
                        access_log=args.access_log,
                        user=_worker_user(),
                        # marimo's token login guards its files; nginx would not ask for it
                        static_files=None if token else _static_folder(views, prefix),
                    ),
                    encoding="utf-8",
                )
                assert nginx is not None
                deployment.nginx = child(
                    [nginx, "-p", str(prefix), "-e", "stderr", "-c", str(config)]
                )
                probe = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
                _wait_http(
                    f"http://{_listen(probe, args.port)}/health", deployment.nginx, 30, "nginx"
                )
                workers = f"{len(deployment.addresses)} local"
                if args.upstream:
                    workers += f" + {len(args.upstream)} remote"
                print(
                    f"Jeugdmonitor: http://{_listen(args.host, args.port)} "
                    f"({workers} workers behind nginx) ready",
                    flush=True,
                )
            while True:
                for name, proc in deployment.named():
                    if proc.poll() is not None:
                        raise ServeError(
                            f"{name} stopped unexpectedly (exit code {proc.returncode}); "
                            "stopping the others"
                        )
                time.sleep(1)
        except KeyboardInterrupt:
            return 0
        finally:
            _ignore_signals()  # a second Ctrl-C must not cut the orderly stop short
            deployment.stop()


def _stop_on_signals() -> None:
    """Ctrl-C (SIGINT, also `kill -INT`), SIGTERM and a closed terminal (SIGHUP) stop `serve`
    through KeyboardInterrupt, which stops the children (they have sessions of their own)."""

    def stop(signum: int, frame: object) -> None:
        _ignore_signals()
        raise KeyboardInterrupt

    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), stop)


STOP_SIGNALS = [s for s in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, s)]


def _ignore_signals() -> None:
    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_IGN)


def _token(args: argparse.Namespace) -> str | None:
    if args.token_password and args.token_password_file:
        raise ServeError("give --token-password or --token-password-file, not both")
    if args.token_password_file:
        return Path(args.token_password_file).read_text(encoding="utf-8").strip()
    return args.token_password or None


# --------------------------------------------------------------------------------- htpasswd


def htpasswd_line(user: str, password: str) -> str:
    """`user:$6$…` (SHA-512 crypt, as `openssl passwd -6` makes it; nginx checks it with crypt)."""
    if not user or ":" in user or any(c.isspace() for c in user):
        raise ServeError(f"invalid user name {user!r} (no ':' or spaces)")
    openssl = shutil.which("openssl")
    if openssl is None:
        raise ServeError("openssl not found: install it (sudo apt-get install openssl)")
    hashed = subprocess.run(
        [openssl, "passwd", "-6", "-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{user}:{hashed}"


def _cmd_htpasswd(args: argparse.Namespace) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass(f"Wachtwoord voor {args.user}: ")
        if password != getpass.getpass("Nogmaals: "):
            print("jeugdmonitor htpasswd: the passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        print("jeugdmonitor htpasswd: empty password", file=sys.stderr)
        return 2
    path = Path(args.file)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    lines = [line for line in lines if not line.startswith(f"{args.user}:")]
    lines.append(htpasswd_line(args.user, password))
    from jeugdmonitor.data.files import atomic_write

    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))
    path.chmod(0o600)
    print(f"{path}: password set for {args.user}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        code = run(args)
    except KeyboardInterrupt:  # stopped before the workers started (the prefix, the checks)
        code = 0
    except ServeError as exc:
        print(f"jeugdmonitor serve: error: {exc}", file=sys.stderr)
        return 2
    print("Jeugdmonitor stopped", flush=True)
    return code


def register(sub: argparse._SubParsersAction) -> None:
    """Add `serve` and `htpasswd` to the `jeugdmonitor` command line."""
    s = sub.add_parser(
        "serve",
        help="the app for many users: N marimo workers behind nginx, optional login",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--workers", type=int, default=2, help="local marimo workers (default 2)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 2718)")
    s.add_argument("--basic-auth", type=Path, help="htpasswd file: nginx asks for a password")
    s.add_argument("--token-password", help="marimo's login password on every worker")
    s.add_argument("--token-password-file", type=Path, help="file with marimo's login password")
    s.add_argument(
        "--session-ttl",
        type=int,
        default=DEFAULT_TTL,
        help="seconds a session lives on after its tab closed (default 120)",
    )
    s.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="a worker on another machine (repeat; see --worker-only)",
    )
    s.add_argument(
        "--worker-only",
        action="store_true",
        help="start workers on --host, ports --port, --port+1, … and no nginx",
    )
    s.add_argument(
        "--advertise",
        metavar="HOST",
        help="with --worker-only: the address the nginx machine reaches these workers at "
        "(default: --host)",
    )
    s.add_argument("--secret-file", type=Path, help="secret shared by all workers (created)")
    s.add_argument("--notebook", help="the app (default: monitor.py beside the package)")
    s.add_argument("--access-log", type=Path, help="nginx access log file (default: none)")
    s.add_argument(
        "--no-warm-up", dest="warm_up", action="store_false", help="skip the warm-up session"
    )
    s.add_argument(
        "--view-store",
        type=Path,
        metavar="DIR",
        help="keep the precomputed regions in DIR (default: a temporary folder)",
    )
    s.add_argument(
        "--no-precompute",
        dest="precompute",
        action="store_false",
        help="do not render every region in the background after the warm-up",
    )
    s.set_defaults(func=_cmd_serve)

    h = sub.add_parser("htpasswd", help="add or change a user in an htpasswd file (basic auth)")
    h.add_argument("file", help="the htpasswd file (created when missing)")
    h.add_argument("user", help="user name")
    h.set_defaults(func=_cmd_htpasswd)
