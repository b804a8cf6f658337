"""`jeugdmonitor serve`: nginx in front of marimo workers, routing, login, freed sessions.

The integration tests start the real thing (Debian's nginx and `marimo run` workers) and drive
it through marimo's own protocol (`jeugdmonitor.app.marimo_client`), without a browser.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
from serve_support import ROOT, require_nginx, serving, wait_until

from jeugdmonitor.app import serve
from jeugdmonitor.app.marimo_client import ProtocolError, Tab

# ----------------------------------------------------------------------------- configuration


def run_async(coro):
    """`asyncio.run` in a thread of its own: a browser test's Playwright (sync API) may hold an
    event loop in this thread for the whole session."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_nginx_config_routes_every_request_of_a_session_to_one_worker(tmp_path):
    text = serve.nginx_config(
        prefix=tmp_path,
        listen_host="127.0.0.1",
        listen_port=8080,
        upstreams=["127.0.0.1:9001", "127.0.0.2:9001", "10.0.0.5:2719"],
    )
    # the session id: the POST header, else the websocket's query parameter
    assert 'map $http_marimo_session_id $jm_session {\n        ""      $arg_session_id;' in text
    session = text.split("upstream jm_session {")[1].split("}")[0]
    anyone = text.split("upstream jm_any {")[1].split("}")[0]
    assert "hash $jm_session consistent;" in session
    for address in ("127.0.0.1:9001", "127.0.0.2:9001", "10.0.0.5:2719"):
        assert f"server {address} " in session and f"server {address} " in anyone
    locations = {
        block.split("{")[0].strip(): block.split("}")[0] for block in text.split("location ")[1:]
    }
    assert "proxy_pass http://jm_session;" in locations["= /ws"]
    assert "proxy_set_header Upgrade $http_upgrade;" in locations["= /ws"]
    assert "proxy_pass http://jm_session;" in locations["/api/"]
    assert "proxy_next_upstream off;" in locations["/api/"]
    # a published file goes to the worker whose tag it carries; untagged ones to any worker
    assert "proxy_pass http://$jm_file_upstream;" in locations["/@file/"]
    for address in ("127.0.0.1:9001", "127.0.0.2:9001", "10.0.0.5:2719"):
        tag = serve.worker_tag(address)
        assert f"upstream jm_w{tag} {{\n        server {address};" in text
        assert f"~^/@file/[0-9]+-jm{tag}- jm_w{tag};" in text
    assert "default jm_any;" in text
    assert "listen 127.0.0.1:8080;" in text
    assert "auth_basic" not in text and f"pid {tmp_path}/nginx.pid;" in text
    assert "@prefix@" not in text and "@servers@" not in text


def test_nginx_config_with_basic_auth_hides_the_password_from_marimo(tmp_path):
    text = serve.nginx_config(
        prefix=tmp_path,
        listen_host="::1",
        listen_port=8080,
        upstreams=["127.0.0.1:9001"],
        htpasswd=tmp_path / "htpasswd",
    )
    assert f"auth_basic_user_file {tmp_path}/htpasswd;" in text
    assert 'proxy_set_header Authorization "";' in text
    assert "listen [::1]:8080;" in text


def test_nginx_accepts_the_config(tmp_path):
    require_nginx()
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(serve.htpasswd_line("analist", "geheim") + "\n")
    config = tmp_path / "nginx.conf"
    config.write_text(
        serve.nginx_config(
            prefix=tmp_path,
            listen_host="127.0.0.1",
            listen_port=8080,
            upstreams=["127.0.0.1:9001", "127.0.0.2:9001"],
            htpasswd=htpasswd,
            user=serve._worker_user(),
        )
    )
    nginx = serve.find_nginx()
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_no_workers_is_a_clear_error(tmp_path):
    with pytest.raises(serve.ServeError, match="no workers"):
        serve.nginx_config(prefix=tmp_path, listen_host="127.0.0.1", listen_port=1, upstreams=[])


def test_workers_share_secrets_through_a_file(tmp_path):
    path = tmp_path / "conf" / "secret"
    first = serve.Secrets.from_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert serve.Secrets.from_file(path) == first  # another machine with the same file
    assert serve.Secrets.from_file(None) != first  # without a file: random per run
    env = first.env()
    assert int(env["PYTHONHASHSEED"]) < 2**32 and len(env["MARIMO_SESSION_SECRET"]) >= 32


def test_local_workers_share_one_port_on_their_own_loopback_address():
    addresses = serve.local_addresses(3)
    hosts = [a.rsplit(":", 1)[0] for a in addresses]
    ports = {a.rsplit(":", 1)[1] for a in addresses}
    assert hosts == ["127.0.0.1", "127.0.0.2", "127.0.0.3"] and len(ports) == 1


def test_htpasswd_line_is_sha512_crypt_that_openssl_reproduces():
    line = serve.htpasswd_line("analist", "geheim wachtwoord")
    user, hashed = line.split(":", 1)
    assert user == "analist" and hashed.startswith("$6$")
    salt = hashed.split("$")[2]
    again = subprocess.run(
        ["openssl", "passwd", "-6", "-salt", salt, "-stdin"],
        input="geheim wachtwoord\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert again == hashed
    with pytest.raises(serve.ServeError):
        serve.htpasswd_line("a:b", "x")


def test_htpasswd_command_adds_and_replaces_a_user(tmp_path):
    path = tmp_path / "htpasswd"
    for password in ("eerste", "tweede"):
        done = subprocess.run(
            [sys.executable, "-m", "jeugdmonitor.cli", "htpasswd", str(path), "analist"],
            input=password + "\n",
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
    lines = path.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("analist:$6$")
    assert path.stat().st_mode & 0o777 == 0o600


def test_warm_up_opens_one_region_of_every_type():
    options = [
        "— kies een regio (landelijk overzicht) —",
        "Nederland",
        "Gemeente · Aa en Hunze",
        "Gemeente · Aalsmeer",
        "Samenwerkingsverband po · SWV po 20-01",
        "Samenwerkingsverband vo · SWV vo 20-01",
        "Jeugdregio · Achterhoek",
        "Provincie · Drenthe",
    ]
    assert serve.warm_up_labels(options) == [
        "Gemeente · Aa en Hunze",
        "Samenwerkingsverband po · SWV po 20-01",
        "Samenwerkingsverband vo · SWV vo 20-01",
        "Jeugdregio · Achterhoek",
        "Provincie · Drenthe",
        "Nederland",
    ]


def test_serve_without_nginx_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(serve, "NGINX_CANDIDATES", ("no-such-nginx-binary",))
    with pytest.raises(serve.ServeError, match="apt-get install nginx"):
        serve.find_nginx()


# ------------------------------------------------------------------------------ integration


def _get(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _connections(worker: str) -> int:
    with urllib.request.urlopen(f"{worker}/api/status/connections", timeout=10) as response:
        return json.loads(response.read())["active"]


@pytest.mark.slow
def test_two_workers_keep_each_session_on_its_worker_and_free_closed_ones():
    """12 tabs through nginx: both workers get sessions, every change of every tab works (a POST
    routed to the wrong worker fails), and closed tabs are freed within the session TTL."""
    with serving(
        "--workers", "2", "--no-warm-up", "--no-precompute", "--session-ttl", "3"
    ) as served:
        assert len(served.workers) == 2

        async def scenario() -> list[Tab]:
            tabs = [Tab(served.url, timeout=300) for _ in range(12)]
            await asyncio.gather(*(t.open() for t in tabs))
            counts = [_connections(w) for w in served.workers]
            assert sum(counts) == 12 and min(counts) >= 1, counts
            labels = ["Gemeente · Utrecht", "Provincie · Provincie Fryslân"]
            for label in labels:
                renders = await asyncio.gather(*(t.choose(label) for t in tabs))
                assert all(not r.errors for r in renders)
                assert all(r.ws_bytes <= 150_000 for r in renders), [r.ws_bytes for r in renders]
            ids = [t.session_id for t in tabs]
            assert len(set(ids)) == 12
            for tab in tabs:
                await tab.close()
            assert await tabs[0].is_alive()  # within the TTL a closed tab can come back
            return tabs

        tabs = run_async(scenario())
        assert wait_until(lambda: sum(_connections(w) for w in served.workers) == 0, 20)
        run_async(asyncio.sleep(5))  # the TTL (3 s) has passed
        alive = run_async(_alive(tabs[1:]))
        assert not any(alive), alive


async def _alive(tabs: list[Tab]) -> list[bool]:
    return [await t.is_alive() for t in tabs]


@pytest.mark.slow
def test_basic_auth_401_without_and_the_app_with_credentials(tmp_path):
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(serve.htpasswd_line("analist", "geheim") + "\n")
    good = {"Authorization": "Basic " + base64.b64encode(b"analist:geheim").decode()}
    bad = {"Authorization": "Basic " + base64.b64encode(b"analist:fout").decode()}
    with serving(
        "--workers", "1", "--no-warm-up", "--no-precompute", "--basic-auth", str(htpasswd)
    ) as served:
        assert _get(served.url + "/") == 401
        assert _get(served.url + "/", bad) == 401
        assert _get(served.url + "/@file/1-x.js") == 401
        assert _get(served.url + "/", good) == 200

        async def scenario() -> None:
            with pytest.raises(ProtocolError, match="401"):
                await Tab(served.url).open()
            tab = Tab(served.url, headers=good, timeout=300)
            await tab.open()
            render = await tab.choose("Gemeente · Utrecht")
            assert not render.errors and render.ws_bytes > 10_000
            await tab.close()

        run_async(scenario())


@pytest.mark.slow
def test_marimo_token_401_without_and_the_app_with_it_on_every_worker():
    with serving(
        "--workers", "2", "--no-warm-up", "--no-precompute", "--token-password", "geheim"
    ) as served:
        assert _get(served.url + "/api/status/connections") == 401
        request = urllib.request.Request(
            served.url + "/api/kernel/set_ui_element_value", data=b"{}", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 401

        async def scenario() -> None:
            with pytest.raises(ProtocolError, match="no server token"):
                await Tab(served.url).open()  # marimo's login page instead of the app
            tabs = [
                Tab(served.url, query={"access_token": "geheim"}, timeout=300) for _ in range(8)
            ]
            await asyncio.gather(*(t.open() for t in tabs))
            renders = await asyncio.gather(*(t.choose("Gemeente · Utrecht") for t in tabs))
            assert all(not r.errors for r in renders)
            for tab in tabs:
                await tab.close()

        run_async(scenario())


@pytest.mark.slow
def test_memory_does_not_grow_over_rounds_of_twenty_users():
    """Five rounds of 20 users (open, two region changes, close); after each round the TTL frees
    the sessions. A leak of even 1 MiB per session would add 20 MiB per round."""
    with serving("--workers", "1", "--no-precompute", "--session-ttl", "2") as served:
        worker = next(
            p
            for p in psutil.Process(served.proc.pid).children(recursive=True)
            if "jeugdmonitor.app.worker" in " ".join(p.cmdline())
        )
        labels = ["Gemeente · Utrecht", "Jeugdregio · Jeugdregio Utrecht Stad", "Nederland"]

        async def round_of(users: int, offset: int) -> None:
            tabs = [Tab(served.url, timeout=300) for _ in range(users)]
            await asyncio.gather(*(t.open() for t in tabs))
            options = [tabs[0].option(label) for label in labels]
            for i in range(2):
                await asyncio.gather(
                    *(
                        t.choose(options[(i + j + offset) % len(options)])
                        for j, t in enumerate(tabs)
                    )
                )
            for tab in tabs:
                await tab.close()

        rss = []
        threads = []
        for k in range(5):
            run_async(round_of(20, k))
            assert wait_until(lambda: _connections(served.workers[0]) == 0, 30)
            run_async(asyncio.sleep(5))  # TTL 2 s: every session of the round is closed
            rss.append(worker.memory_info().rss / 2**20)
            threads.append(worker.num_threads())
        print(f"worker RSS after each round (MiB): {[round(r, 1) for r in rss]}; threads {threads}")
        growth = rss[-1] - rss[1]
        assert growth < 40, f"RSS per round (MiB): {[round(r) for r in rss]}"
        assert threads[-1] <= threads[1] + 2, threads  # no session threads left behind


@pytest.mark.slow
def test_load_benchmark_through_nginx_with_two_workers(tmp_path):
    """A small bounded run of bench/bench_load.py: 0 errors and ≤ 150 KB per region change."""
    require_nginx()
    out = tmp_path / "load.json"
    cmd = [sys.executable, str(ROOT / "bench" / "bench_load.py"), "--configs", "nginx"]
    cmd += ["--workers", "2", "--users", "4", "--changes", "3", "--think", "0.3", "--pool", "12"]
    cmd += ["--time-limit", "120", "--json", str(out), "--serve-args=--no-precompute"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (result,) = json.loads(out.read_text())
    assert result["errors"] == 0, result["error_samples"]
    assert result["changes"] == 12
    assert result["kb_per_change_max"] <= 150, result


@pytest.mark.slow
def test_workers_serve_precomputed_regions_from_the_view_store():
    """A region in the view store reaches the browser as stored there (a marker put into the
    stored record shows up), on every worker, with every file it needs; nginx sends the view
    store's files itself."""
    # not pytest's tmp_path: any pytest session that starts meanwhile (another checkout's) sets
    # /tmp/pytest-of-<user> back to 0700, and nginx's user then no longer reaches the files
    with tempfile.TemporaryDirectory(prefix="jm-views-") as folder:
        _view_store_scenario(Path(folder))


def _view_store_scenario(tmp_path: Path) -> None:
    import gzip
    import hashlib

    from jeugdmonitor.app import precompute, transport, viewstore
    from jeugdmonitor.data.store import load

    # nginx's own user (www-data or nobody when serve runs as root) must reach the folder: let
    # it through every parent (not list)
    for folder in (tmp_path, *tmp_path.parents):
        if folder.stat().st_mode & 0o111 != 0o111:
            folder.chmod(folder.stat().st_mode | 0o111)
    precompute.precompute(tmp_path, ["GM0363"])
    views = viewstore.ViewStore(tmp_path)
    key = viewstore.fingerprint(load().data_dir)
    record = views.load(key, "GM0363")
    section = record["sections"]["jeugdzorg"]
    (name,) = transport.published_names(section["url"])
    html = gzip.decompress(views.read_file(name)).decode("utf-8")
    marked = gzip.compress(html.replace("Bron en jaar", "JM-STORE-MARKER", 1).encode("utf-8"))
    marked_name = f"jm-{hashlib.sha1(marked).hexdigest()[:20]}.bin"  # as transport names it
    views.write_file(marked_name, marked)
    section["url"] = f"./@file/{len(marked)}-{marked_name}"
    record["files"] = sorted({*record["files"], *transport.published_names(section["url"])})
    views.save(key, "GM0363", record)
    args = ("--workers", "2", "--no-warm-up", "--no-precompute", "--view-store", str(tmp_path))
    with serving(*args) as served:

        async def scenario() -> None:
            tabs = [Tab(served.url, keep=True, timeout=300) for _ in range(12)]
            await asyncio.gather(*(t.open() for t in tabs))
            assert min(_connections(w) for w in served.workers) >= 1
            renders = await asyncio.gather(*(t.choose("Gemeente · Amsterdam") for t in tabs))
            for render in renders:
                assert not render.errors and render.file_bytes >= 0
                assert "JM-STORE-MARKER" in "".join(render.texts)  # unpacked sections
            for tab in tabs:
                await tab.close()

        run_async(scenario())
        # nginx sends a file of the view store itself: no worker has this one
        data = b'{"jm": "alleen in de view store"}'
        name = f"jm-{hashlib.sha1(data).hexdigest()[:20]}.json"
        views.write_file(name, data)
        url = f"{served.url}/@file/{len(data)}-{name.replace('jm-', 'jm7-', 1)}"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.read() == data
            assert response.headers["Content-Type"] == "application/json"
