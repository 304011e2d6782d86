"""Two clones editing one iteration: `python bench/sync.py [--edits 50] [--seed 1]`.

A bare repository and two clones of a data dir in a temp dir, seeded with the demo history.
Each round, both clones make one random edit of the iteration under way (through the model's
named methods, saved by the store as the app does, each at its own time), then clone a runs
`finops-tui sync`, then clone b (which merges a's edit with its own), then a again. The
conflicts b's sync records are counted and resolved (b keeps its value) before the next round.
For contrast, the same three versions b merges go through git's own line merge
(`git merge-file`). Every sync is a separate `finops-tui sync` process, timed start to exit.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from finops_tui.demo import demo_iterations
from finops_tui.lenses import LENSES
from finops_tui.merge import describe
from finops_tui.model import Group, Iteration, utc_now
from finops_tui.store import Store

WORDS = ["budget", "owner", "tag", "forecast", "anomaly", "savings", "report", "showback", "team"]


def git(where: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(where), *args], capture_output=True, check=check)


def text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()


def random_edit(rng: random.Random, it: Iteration) -> str:
    """One edit such as a person makes in the app; returns what it was."""
    capability = rng.choice(it.capabilities)
    lens = rng.choice(LENSES)
    goals = it.goals
    edits: list[tuple[str, Callable[[], object]]] = [
        ("title", lambda: it.retitle(text(rng))),
        ("team notes", lambda: it.describe_team(text(rng))),
        ("group", lambda: it.set_group(rng.choice(list(Group)), rng.random() < 0.5)),
        ("add person", lambda: it.add_person(text(rng), text(rng))),
        ("level", lambda: it.set_level(capability, lens, rng.randint(0, 2))),
        ("target", lambda: it.raise_target(capability, lens)),
        ("retrospective", lambda: it.set_retrospective("improve", text(rng))),
    ]
    if it.stakeholders.people:
        index = rng.randrange(len(it.stakeholders.people))
        person = it.stakeholders.people[index]
        edits.append(
            (
                "edit person",
                lambda: it.edit_person(index, name=person.name, role=text(rng), group=None),
            )
        )
    if goals:
        goal = rng.choice(goals)
        edits += [
            ("goal statement", lambda: it.describe_goal(goal.id, statement=text(rng))),
            ("add action", lambda: it.add_action(goal.id, text(rng), rng.choice(WORDS))),
        ]
        if goal.actions:
            index = rng.randrange(len(goal.actions))
            edits.append(("action status", lambda: it.advance_action(goal.id, index)))
    what, edit = rng.choice(edits)
    edit()
    return what


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50, help="edits per clone (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="finops-sync-bench-") as tmp:
        root = Path(tmp)
        (root / "gitconfig").write_text("")
        os.environ.update(
            GIT_CONFIG_GLOBAL=str(root / "gitconfig"),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="Bench",
            GIT_AUTHOR_EMAIL="bench@example.com",
            GIT_COMMITTER_NAME="Bench",
            GIT_COMMITTER_EMAIL="bench@example.com",
            FINOPS_TUI_CACHE_DIR=str(root / "cache"),
        )
        git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(root / "hub.git"))
        clones = {name: root / name for name in ("a", "b")}
        git(root, "clone", "--quiet", str(root / "hub.git"), str(clones["a"]))
        iterations = demo_iterations(date.today())
        for iteration in iterations:
            Store(clones["a"]).save(iteration)
        current = iterations[-1].id
        times: dict[str, list[float]] = {"a": [], "b": []}

        def sync(name: str) -> int:
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "finops_tui", "--data-dir", str(clones[name]), "sync"],
                capture_output=True,
            )
            times[name].append(time.perf_counter() - start)
            if done.returncode not in (0, 1):
                raise SystemExit(done.stderr.decode())
            return done.returncode

        sync("a")
        git(root, "clone", "--quiet", str(root / "hub.git"), str(clones["b"]))
        sync("b")
        times = {"a": [], "b": []}  # the set-up syncs are not counted

        edits: Counter[str] = Counter()
        found: Counter[str] = Counter()
        merges = line_conflicts = line_hunks = 0
        clock = utc_now()
        for _ in range(args.edits):
            for path in clones.values():
                store = Store(path)
                iteration = store.load(current)
                edits[random_edit(rng, iteration)] += 1
                clock += timedelta(minutes=rng.randint(1, 20))  # people edit at their own times
                iteration.touch(clock)
                store.save(iteration)
            sync("a")
            relative = f"iterations/{current}.toml"
            versions = {
                "base": git(clones["b"], "show", f"HEAD:{relative}").stdout,
                "ours": (clones["b"] / relative).read_bytes(),
                "theirs": (clones["a"] / relative).read_bytes(),
            }
            for name, data in versions.items():
                (root / name).write_bytes(data)
            merged = git(root, "merge-file", "-p", "--quiet", "ours", "base", "theirs", check=False)
            merges += 1
            line_conflicts += merged.returncode > 0
            line_hunks += max(merged.returncode, 0)
            if sync("b") == 1:
                store = Store(clones["b"])
                iteration = store.load(current)
                for conflict in list(iteration.conflicts):
                    found[describe(iteration, conflict).label] += 1
                    iteration.resolve_conflict(conflict.path, "ours")
                clock += timedelta(minutes=1)
                iteration.touch(clock)
                store.save(iteration)
                sync("b")
            sync("a")

    every = times["a"] + times["b"]
    conflicts = sum(found.values())
    print(
        f"2 clones × {args.edits} edits of one iteration (seed {args.seed}), a sync on each "
        f"clone after every round: {len(every)} syncs, {merges} merges of both clones' edits"
    )
    print(f"  edits: {', '.join(f'{k} {v}' for k, v in edits.most_common())}")
    print(
        f"  git's line merge (git merge-file) on the same versions: {line_conflicts} of "
        f"{merges} merges conflict ({line_hunks} conflict hunks)"
    )
    labels = ", ".join(f"{k} ×{v}" for k, v in found.most_common())
    print(f"  finops-tui's merge: {conflicts} field conflicts" + (f" ({labels})" if labels else ""))
    merging = times["b"]
    print(
        f"  sync wall time: median {statistics.median(every):.2f} s, "
        f"p90 {statistics.quantiles(every, n=10)[-1]:.2f} s, max {max(every):.2f} s; "
        f"syncs that merged: median {statistics.median(merging):.2f} s"
    )


if __name__ == "__main__":
    main()
