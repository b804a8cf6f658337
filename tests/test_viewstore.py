"""The machine's view store: every region's packed sections, rendered once for all workers."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import shutil
import subprocess
import sys

import pytest

from jeugdmonitor.app import precompute, transport, ui, viewstore
from jeugdmonitor.data.regions import get_region


def test_precompute_writes_each_region_once_with_every_file_it_needs(store, tmp_path):
    assert precompute.precompute(tmp_path, ["GM0363", None]) == 2
    assert precompute.precompute(tmp_path, ["GM0363", None]) == 0  # already there
    assert not transport.available()  # the offline publisher is gone again
    views = viewstore.ViewStore(tmp_path)
    key = viewstore.fingerprint(store.data_dir)
    record = views.load(key, "GM0363")
    assert record is not None and views.load(key, None) is not None
    built = ui.build_sections(store, get_region(store, "GM0363"))
    assert list(record["sections"]) == list(built)
    names = [transport.published_names(s["url"])[0] for s in record["sections"].values()]
    html = "".join(gzip.decompress(views.read_file(n)).decode("utf-8") for n in names)
    for section in built.values():
        for figure in section.figures:
            assert figure.title.split(":")[0][:30] in html or figure.key.startswith("verwacht")
    assert html.count("<jm-chart ") == sum(
        f.chart is not None for s in built.values() for f in s.figures
    )
    # every published file the HTML refers to is listed and stored
    assert record["files"] == sorted({*transport.published_names(html), *names})
    for name in record["files"]:
        assert views.read_file(name), name
    downloads = [d for s in record["sections"].values() for d in s["downloads"]]
    assert all(name.endswith(".csv") for _, name, _ in downloads) and downloads


def test_a_record_gives_the_same_view_and_builds_sections_only_when_asked(store, tmp_path):
    precompute.precompute(tmp_path, ["PV27"])
    region = get_region(store, "PV27")
    record = viewstore.ViewStore(tmp_path).load(viewstore.fingerprint(store.data_dir), "PV27")
    view = ui.RegionView(store, region, record=record)
    assert view._sections is None
    # the default page shows real figures only: no simulated-data banner
    assert list(view) == list(record["sections"]) and view.simulated is False
    assert "gesimuleerd" not in ui.banner(view).text and view._sections is None
    assert view["jeugdzorg"].figures  # a Section, built on first use
    assert view._sections is not None


def test_fingerprint_follows_the_data_and_the_code(data_dir, tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    first = viewstore.fingerprint(copy)
    assert viewstore.fingerprint(copy) == first
    (copy / "regions.parquet").write_bytes((copy / "regions.parquet").read_bytes() + b"\n")
    assert viewstore.fingerprint(copy) != first
    changed = viewstore.fingerprint(copy)
    monkeypatch.setattr(viewstore, "_code_version", lambda: "other-code")
    assert viewstore.fingerprint(copy) != changed


def test_a_broken_record_is_no_record(tmp_path):
    views = viewstore.ViewStore(tmp_path)
    path = tmp_path / "views" / "abc" / "GM0363.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert views.load("abc", "GM0363") is None
    views.save("abc", "GM0363", {"sections": {}, "files": []})
    assert json.loads(path.read_text()) == {"sections": {}, "files": []}


# ------------------------------------------------------------- a plain `marimo run` (issue 19)


def test_the_packed_sections_carry_their_tables_as_templates(store, tmp_path):
    """Tables behind their toggles travel inert (`transport.lazy_tables`), whole."""
    from jeugdmonitor.present import markup

    precompute.precompute(tmp_path, ["GM0344"])
    views = viewstore.ViewStore(tmp_path)
    record = views.load(viewstore.fingerprint(store.data_dir), "GM0344")
    names = [transport.published_names(s["url"])[0] for s in record["sections"].values()]
    html = "".join(gzip.decompress(views.read_file(n)).decode("utf-8") for n in names)
    toggles = html.count("<details class='jm-details'>")
    assert toggles > 10 and html.count("<template class='jm-lazy'><div") == toggles
    built = ui.build_sections(store, get_region(store, "GM0344"))
    figure = next(f for s in built.values() for f in s.figures if f.chart is not None)
    table = markup.table_details(figure.table)
    lazy = transport.lazy_tables(table)
    assert lazy.replace("<template class='jm-lazy'>", "").replace("</template>", "") == table


def test_start_for_app_uses_a_given_view_store_and_starts_nothing(monkeypatch, tmp_path):
    def no_process(*args, **kwargs):
        raise AssertionError("no precompute may start")

    monkeypatch.setattr(viewstore.subprocess, "Popen", no_process)
    monkeypatch.setenv(viewstore.ENV, str(tmp_path))
    assert viewstore.start_for_app().root == tmp_path  # serve's own (it precomputes itself)
    monkeypatch.setenv(viewstore.ENV, viewstore.OFF)
    assert viewstore.start_for_app() is None and viewstore.shared() is None


def test_start_for_app_takes_the_machine_folder_and_precomputes_there(monkeypatch, tmp_path):
    started = []

    class Process:
        def __init__(self, command, **kwargs):
            started.append(command)

        def wait(self):
            return 0

    monkeypatch.setattr(viewstore.subprocess, "Popen", Process)
    monkeypatch.delenv(viewstore.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shared = viewstore.start_for_app()
    root = tmp_path / "jeugdmonitor" / "views"
    assert shared.root == root and root.is_dir()
    assert viewstore.start_for_app().root == root  # once per process
    assert started == [
        [
            sys.executable,
            "-m",
            "jeugdmonitor.app.precompute",
            str(root),
            "--parent",
            str(os.getpid()),
        ]
    ]


def test_one_precompute_per_folder_and_none_after_its_app_ended(monkeypatch, tmp_path):
    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered while another process holds the folder")

    with open(tmp_path / "precompute.lock", "w") as lock:  # another precompute runs
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        monkeypatch.setattr(precompute, "precompute", must_not_render)
        monkeypatch.setattr(precompute.os, "nice", lambda n: 0)
        assert precompute.main([str(tmp_path)]) == 0
    monkeypatch.undo()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert precompute.precompute(tmp_path / "v", ["GM0363"], parent=gone.pid) == 0


@pytest.mark.browser
def test_plain_marimo_run_precomputes_at_low_priority_and_stops_with_the_app(tmp_path):
    """The README's `marimo run monitor.py`: the first page starts the machine's precompute
    (nice 19) into the user's cache folder; it ends when the app ends."""
    import asyncio
    import concurrent.futures

    import psutil
    from browser_support import marimo_app
    from serve_support import ROOT, wait_until

    from jeugdmonitor.app.marimo_client import Tab

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    root = tmp_path / "jeugdmonitor" / "views"

    def precomputes() -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            command = " ".join(proc.info["cmdline"] or [])
            if "jeugdmonitor.app.precompute" in command and str(root) in command:
                found.append(proc)
        return found

    async def visit(url: str) -> None:
        tab = Tab(url, fetch_files=False, timeout=300)
        await tab.open()
        await tab.close()

    with marimo_app(ROOT / "monitor.py", env, machine_view_store=True) as url:
        # in a thread of its own: a browser test's Playwright may run an event loop here
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, visit(url)).result()
        assert wait_until(lambda: len(list(root.glob("views/*/*.json"))) >= 2, 300)
        running = precomputes()
        assert running and all(p.nice() == 19 for p in running)
    assert wait_until(lambda: not precomputes(), 120)
