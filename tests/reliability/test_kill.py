"""A save killed at any moment leaves either the old or the new file, never a mix."""

from __future__ import annotations

import os
import random
import signal
import time

from finops_tui.store import Store

from ..conftest import make_iteration

KILLS = 200


def test_sigkill_during_saves(store: Store) -> None:
    iteration = make_iteration()
    store.save(iteration)
    path = store.path_of(iteration.id)
    titles = ("short " * 10, "long " * 2000)
    versions = {path.read_bytes()}
    for title in titles:
        iteration.title = title
        versions.add(store.render(iteration))
    rng = random.Random(2026)
    for _ in range(KILLS):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child saves until it is killed
            child = Store(store.data_dir)
            mine = child.load(iteration.id)
            n = 0
            while True:
                mine.title = titles[n % 2]
                child.save(mine)
                n += 1
        # Not synchronisation: a random moment at which to kill the child mid-save.
        time.sleep(rng.uniform(0.001, 0.02))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert path.read_bytes() in versions
    loaded = Store(store.data_dir).load_all()
    assert len(loaded.iterations) == 1 and loaded.problems == []
    assert store.files() == [path]
