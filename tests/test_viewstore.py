"""The machine's view store: every region's packed sections, rendered once for all workers."""

from __future__ import annotations

import gzip
import json
import shutil

from jeugdmonitor import transport, ui, viewstore
from jeugdmonitor.regions import get_region


def test_precompute_writes_each_region_once_with_every_file_it_needs(store, tmp_path):
    assert viewstore.precompute(tmp_path, ["GM0363", None]) == 2
    assert viewstore.precompute(tmp_path, ["GM0363", None]) == 0  # already there
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
    viewstore.precompute(tmp_path, ["PV27"])
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
