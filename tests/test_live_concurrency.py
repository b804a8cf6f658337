"""The live data watcher when many sessions start at once (`jeugdmonitor serve` under load)."""

from __future__ import annotations

import threading
import time

from jeugdmonitor.app import live


def test_sessions_that_start_during_the_first_load_wait_for_it(data_dir, monkeypatch):
    """While the first session loads data/, the others must not get the empty state (the app
    would show them the 'gegevens kunnen niet worden geladen' page)."""
    slow = live.store_mod.open_store

    def open_slowly(path):
        time.sleep(1.0)
        return slow(path)

    monkeypatch.setattr(live.store_mod, "open_store", open_slowly)
    watcher = live.Watcher(data_dir, settle=0.0)
    states = []

    def session() -> None:
        states.append(watcher.current())

    first = threading.Thread(target=session)
    first.start()
    time.sleep(0.4)  # the first session is loading now
    others = [threading.Thread(target=session) for _ in range(6)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join()
    assert len(states) == 7
    assert all(s.store is not None for s in states), [s.version for s in states]
