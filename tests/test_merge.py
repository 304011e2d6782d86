"""The three-way merge of one iteration (no git here; tests/test_sync.py drives git): field by
field, records by stable id, deletes against edits, conflicts recorded and resolved, and the
properties that make it a merge."""

from __future__ import annotations

import contextlib
import string
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finops_tui.catalog import load_catalog
from finops_tui.lenses import LENSES, Lens
from finops_tui.merge import (
    MergeError,
    describe,
    from_tree,
    merge,
    merge_files,
    parse,
    render,
    to_tree,
)
from finops_tui.model import ActionStatus, Group, Iteration, Measurement, Outcome
from finops_tui.store import Store

from .conftest import NOW, make_iteration

BM, CBD, MA = "budget-management", "commitment-based-discounts", "managing-anomalies"
T1, T2 = NOW + timedelta(hours=1), NOW + timedelta(hours=2)


def sides(
    ours: Callable[[Iteration], object] | None = None,
    theirs: Callable[[Iteration], object] | None = None,
    base: Iteration | None = None,
) -> tuple[Iteration, Iteration, Iteration]:
    """A base and two edited copies (ours touched at T1, theirs at T2)."""
    base = base or make_iteration()
    out = []
    for edit, when in ((ours, T1), (theirs, T2)):
        side = base.model_copy(deep=True)
        if edit is not None:
            edit(side)
            side.touch(when)
        out.append(side)
    return base, out[0], out[1]


def paths(iteration: Iteration) -> list[str]:
    return [c.path for c in iteration.conflicts]


# -- stable ids ---------------------------------------------------------------------------------


def test_an_old_file_gets_ids_by_position_on_load_and_keeps_them_on_save(store: Store) -> None:
    document = make_iteration().to_document()
    for person in document["stakeholders"]["people"]:
        del person["id"]
    for goal in document["goals"]:
        for action in goal.get("actions", []):
            del action["id"]
    old = toml_text(document)
    assert 'id = "p1"' not in old
    store.iterations_dir.mkdir(parents=True)
    store.path_of("2026-11-28-k3f9").write_text(old, encoding="utf-8")

    iteration = store.load("2026-11-28-k3f9")
    assert [p.id for p in iteration.stakeholders.people] == ["p1", "p2"]
    assert [a.id for a in iteration.goal("g1").actions] == ["g1-a1", "g1-a2"]
    iteration.retitle("Saved once")
    store.save(iteration)
    text = store.path_of("2026-11-28-k3f9").read_text(encoding="utf-8")
    assert 'id = "p1"' in text and 'id = "g1-a2"' in text
    assert store.load("2026-11-28-k3f9").stakeholders.people[1].id == "p2"


def toml_text(document: dict[str, Any]) -> str:
    from finops_tui import toml_writer

    return toml_writer.dumps(document)


def test_new_people_and_actions_get_fresh_ids_never_used_in_the_iteration() -> None:
    iteration = make_iteration()
    taken = {p.id for p in iteration.stakeholders.people}
    taken |= {a.id for g in iteration.goals for a in g.actions}
    for i in range(50):
        person = iteration.add_person(f"P{i}")
        action = iteration.add_action("g2", f"A{i}")
        assert person.id not in taken and action.id not in taken
        taken |= {person.id, action.id}
        iteration.remove_person(iteration.person_index(person.id))
    assert person.id and person.id.startswith("p-") and action.id and action.id.startswith("a-")
    goal_id, index = iteration.action_position(action.id)
    assert (goal_id, iteration.goal(goal_id).actions[index].title) == ("g2", "A49")
    assert iteration.action(action.id).title == "A49"
    assert iteration.person("p1").name == "Ana Ruiz"
    with pytest.raises(KeyError):
        iteration.person_index(person.id)


def test_an_id_used_twice_is_a_problem_doctor_names(store: Store) -> None:
    document = make_iteration().to_document()
    document["stakeholders"]["people"][1]["id"] = "p1"
    store.iterations_dir.mkdir(parents=True)
    path = store.path_of("2026-11-28-k3f9")
    path.write_text(toml_text(document), encoding="utf-8")
    problem = store.read(path)
    assert "id 'p1' is used twice" in str(problem)


def test_edits_keep_ids() -> None:
    iteration = make_iteration()
    iteration.edit_person(0, name="Ana R.", role="Lead", group=None)
    iteration.edit_action("g1", 1, title="Share it", status=ActionStatus.DOING)
    assert iteration.stakeholders.people[0].id == "p1"
    assert iteration.goal("g1").actions[1].id == "g1-a2"
    assert iteration.validated().goal("g1").actions[1].id == "g1-a2"


# -- merging ------------------------------------------------------------------------------------


def test_unrelated_edits_merge_field_by_field() -> None:
    def ours(it: Iteration) -> None:
        it.retitle("Ours")
        it.add_person("Lena")
        it.describe_goal("g1", statement="Budgets for every subscription")

    def theirs(it: Iteration) -> None:
        it.describe_team("Their notes")
        it.add_person("Omar")
        it.edit_action("g1", 0, title="Create budgets", owner="Sam", status=ActionStatus.DONE)
        it.set_retrospective("improve", "Agree owners first")

    base, o, t = sides(ours, theirs)
    merged = merge(base, o, t)
    it = merged.iteration
    assert merged.clean and not it.conflicts
    assert it.title == "Ours" and it.stakeholders.notes == "Their notes"
    assert [p.name for p in it.stakeholders.people] == ["Ana Ruiz", "Sam Okafor", "Lena", "Omar"]
    assert it.goal("g1").statement == "Budgets for every subscription"
    assert it.goal("g1").actions[0].title == "Create budgets"
    assert it.review.improve == "Agree owners first"
    assert it.updated == T2  # the later of both
    assert merge(base, t, o).iteration.to_document() | {"stakeholders": None} == (
        it.to_document() | {"stakeholders": None}
    )


def test_a_field_changed_differently_on_both_sides_keeps_ours_and_records_theirs() -> None:
    base, o, t = sides(lambda it: it.retitle("Ours"), lambda it: it.retitle("Theirs"))
    merged = merge(base, o, t, now=T2)
    assert merged.iteration.title == "Ours"
    [conflict] = merged.iteration.conflicts
    assert (conflict.path, conflict.theirs, conflict.when) == ("title", "Theirs", T2)
    text = render(merged.iteration).decode()
    assert "<<<<<<<" not in text and '[[conflicts]]\npath = "title"\ntheirs = "Theirs"' in text
    assert parse(text.encode(), "merged") == merged.iteration  # a valid file
    view = describe(merged.iteration, conflict)
    assert (view.label, view.ours, view.theirs) == ("title", "“Ours”", "“Theirs”")


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    base, o, t = sides(lambda it: it.retitle("Same"), lambda it: it.retitle("Same"))
    assert merge(base, o, t).clean


def test_a_level_changed_differently_moves_the_goal_with_ours() -> None:
    base, o, t = sides(
        lambda it: it.set_level(BM, Lens.KNOWLEDGE, 3),
        lambda it: it.set_level(BM, Lens.KNOWLEDGE, 4),
    )
    merged = merge(base, o, t)
    assert paths(merged.iteration) == [f"scope[{BM}].levels.knowledge"]
    assert merged.iteration.level(BM, Lens.KNOWLEDGE) == 3
    label = describe(merged.iteration, merged.iteration.conflicts[0]).label
    assert label == "Budget management · Knowledge level"


def test_goal_from_level_follows_the_merged_level() -> None:
    base, o, t = sides(
        lambda it: it.set_level(BM, Lens.METRICS, 0),
        lambda it: it.describe_goal("g1", statement="New"),
    )
    merged = merge(base, o, t).iteration
    assert merged.goal("g1").from_level == 0 and merged.goal("g1").statement == "New"


def test_weights_merge_lens_by_lens() -> None:
    base, o, t = sides(
        lambda it: it.set_lens_weight(BM, Lens.METRICS, 3),
        lambda it: it.set_lens_weight(BM, Lens.AUTOMATION, 0),
    )
    merged = merge(base, o, t)
    assert merged.clean
    weights = merged.iteration.lens_weights(BM)
    assert (weights[Lens.METRICS], weights[Lens.AUTOMATION], weights[Lens.PROCESS]) == (3, 0, 1)


def test_both_sides_ticking_keeps_catalogue_order() -> None:
    base, o, t = sides(
        lambda it: it.tick("forecasting"), lambda it: it.tick("data-ingestion-normalization")
    )
    merged = merge(base, o, t)
    expected = base.model_copy(deep=True)
    expected.tick("forecasting")
    expected.tick("data-ingestion-normalization")
    assert merged.clean and merged.iteration.capabilities == expected.capabilities


def test_a_capability_ticked_on_one_side_keeps_its_place_in_a_scope_out_of_catalogue_order() -> (
    None
):
    # #3's scope is not in catalogue order (managing anomalies comes before commitments there):
    # ticking decision accountability puts it before commitments, so before anomalies too.
    def theirs(it: Iteration) -> None:
        it.tick("decision-accountability-structure")
        it.untick(CBD)

    base, o, t = sides(lambda it: it.untick(BM), theirs)
    assert t.capabilities == [BM, "decision-accountability-structure", MA]
    merged = merge(base, o, t)
    both = o.model_copy(deep=True)
    theirs(both)
    assert merged.clean and merged.iteration.capabilities == both.capabilities
    assert both.capabilities == ["decision-accountability-structure", MA]
    # Commitments gone on our side first, ticking it there puts it last; and unticking
    # commitments before ticking it, on their side, puts it last there too.
    das = "decision-accountability-structure"
    for ours, theirs in (
        (lambda it: it.untick(CBD), lambda it: it.tick(das)),
        (lambda it: it.untick(BM), lambda it: (it.untick(CBD), it.tick(das))),
    ):
        base, o, t = sides(ours, theirs)
        both = o.model_copy(deep=True)
        theirs(both)
        assert both.capabilities[-1] == das
        merged = merge(base, o, t)
        assert merged.clean and merged.iteration.capabilities == both.capabilities


def test_every_action_removed_on_one_side_and_one_added_on_the_other_merge_cleanly() -> None:
    def ours(it: Iteration) -> None:
        it.add_action("g1", "Tag the new subscriptions")

    def theirs(it: Iteration) -> None:
        it.remove_action("g1", 1)
        it.remove_action("g1", 0)

    base, o, t = sides(ours, theirs)
    merged = merge(base, o, t)
    assert merged.clean, [c.path for c in merged.conflicts]
    [goal] = [g for g in merged.iteration.goals if g.id == "g1"]
    assert [a.title for a in goal.actions] == ["Tag the new subscriptions"]
    # And the other way round: the list emptied on our side, an action added on theirs.
    merged = merge(base, t, o)
    assert merged.clean and [a.title for a in merged.iteration.goals[0].actions] == [
        "Tag the new subscriptions"
    ]


# -- deletes against edits ----------------------------------------------------------------------


def test_a_removal_the_other_side_did_not_touch_is_taken() -> None:
    base, o, t = sides(lambda it: it.remove_person(1), lambda it: it.retitle("Other"))
    merged = merge(base, o, t)
    assert merged.clean and [p.name for p in merged.iteration.stakeholders.people] == ["Ana Ruiz"]
    base, o, t = sides(lambda it: it.retitle("Other"), lambda it: it.untick(MA))
    merged = merge(base, o, t)
    assert merged.clean and MA not in merged.iteration.capabilities


def test_a_removal_against_an_edit_keeps_ours_and_records_theirs_whole() -> None:
    def edit_sam(it: Iteration) -> None:
        it.edit_person(1, name="Sam Okafor", role="Platform lead", group=Group.TECHNOLOGY)

    # ours removed Sam, theirs edited him: removed here, their Sam recorded
    base, o, t = sides(lambda it: it.remove_person(1), edit_sam)
    it = merge(base, o, t).iteration
    assert [p.name for p in it.stakeholders.people] == ["Ana Ruiz"]
    [conflict] = it.conflicts
    assert conflict.path == "stakeholders.people[p2]"
    assert conflict.theirs["role"] == "Platform lead"
    view = describe(it, conflict)
    assert (view.label, view.ours, view.theirs) == (
        "person Sam Okafor",
        "(removed)",
        "“Sam Okafor”",
    )
    it.resolve_conflict(conflict.path, "theirs")
    assert it.person("p2").role == "Platform lead" and not it.conflicts

    # ours edited Sam, theirs removed him: Sam stays, their removal recorded
    base, o, t = sides(edit_sam, lambda it: it.remove_person(1))
    it = merge(base, o, t).iteration
    assert it.person("p2").role == "Platform lead"
    assert it.conflicts[0].theirs is None
    it.resolve_conflict("stakeholders.people[p2]", "theirs")
    assert [p.id for p in it.stakeholders.people] == ["p1"]


def test_unticking_against_a_goal_edit_is_one_conflict_on_the_capability() -> None:
    base, o, t = sides(lambda it: it.untick(BM), lambda it: it.add_action("g1", "Tag every budget"))
    it = merge(base, o, t).iteration
    assert BM not in it.capabilities and paths(it) == [f"scope[{BM}]"]
    assert describe(it, it.conflicts[0]).theirs == "in scope, changed"
    it.resolve_conflict(f"scope[{BM}]", "theirs")
    assert it.capabilities == [BM, CBD, MA]  # back in catalogue order
    assert [a.title for a in it.goal("g1").actions][-1] == "Tag every budget"
    assert it.goal("g1").from_level == it.level(BM, Lens.METRICS)


def test_removing_a_goal_against_an_action_edit() -> None:
    base, o, t = sides(
        lambda it: it.lower_target(BM, Lens.METRICS),
        lambda it: it.advance_action("g1", 1),
    )
    it = merge(base, o, t).iteration
    assert paths(it) == [f"scope[{BM}].goals[metrics]"]
    assert not it.goals_of(BM, Lens.METRICS)
    assert describe(it, it.conflicts[0]).label == "Budget management · Metrics goal"
    it.resolve_conflict(f"scope[{BM}].goals[metrics]", "theirs")
    assert it.goal("g1").actions[1].status is ActionStatus.DOING


def test_a_goal_whose_cell_reached_its_target_goes_and_is_recorded() -> None:
    # theirs adds a goal 0 → 1 on a cell that ours raised to level 2
    base, o, t = sides(
        lambda it: it.set_level(CBD, Lens.PROCESS, 2),
        lambda it: it.describe_goal(
            it.add_goal(CBD, Lens.PROCESS).id, statement="Write the process down"
        ),
    )
    it = merge(base, o, t).iteration
    assert not it.goals_of(CBD, Lens.PROCESS)
    [conflict] = it.conflicts
    assert conflict.theirs["statement"] == "Write the process down"
    with pytest.raises(ValueError, match="does not fit any more"):
        it.resolve_conflict(conflict.path, "theirs")
    it.resolve_conflict(conflict.path, "ours")
    assert not it.conflicts


def test_both_sides_adding_goals_on_other_cells_keep_both_with_distinct_ids() -> None:
    base, o, t = sides(
        lambda it: it.add_goal(MA, Lens.AUTOMATION), lambda it: it.add_goal(CBD, Lens.PROCESS)
    )
    assert o.goals[-1].id == t.goals[-1].id == "g3"
    it = merge(base, o, t).iteration
    assert [(g.id, g.capability) for g in it.goals[2:]] == [("g3", MA), ("g4", CBD)]


def test_both_sides_setting_a_goal_on_one_cell_merge_as_one_goal() -> None:
    def goal(statement: str, raise_twice: bool) -> Callable[[Iteration], None]:
        def edit(it: Iteration) -> None:
            g = it.add_goal(MA, Lens.AUTOMATION)
            it.describe_goal(g.id, statement=statement)
            if raise_twice:
                it.raise_target(MA, Lens.AUTOMATION)

        return edit

    base, o, t = sides(goal("Automate alerts", False), goal("Automate alerts", True))
    it = merge(base, o, t).iteration
    assert len(it.goals_of(MA, Lens.AUTOMATION)) == 1
    assert paths(it) == [f"scope[{MA}].goals[automation].to_level"]


def test_crossed_dates_keep_ours() -> None:
    base, o, t = sides(
        lambda it: it.set_dates(date(2027, 1, 2), date(2027, 2, 1)),
        lambda it: it.set_dates(date(2026, 11, 28), date(2026, 12, 1)),
    )
    it = merge(base, o, t).iteration
    assert (it.starts, it.ends) == (date(2027, 1, 2), date(2027, 2, 1))
    assert set(paths(it)) == {"ends"}


def test_a_merge_that_cannot_be_valid_keeps_ours_and_records_all_of_theirs() -> None:
    base = make_iteration()
    for capability in list(base.capabilities):
        base.untick(capability)
    base.goals.clear()
    base = base.validated()
    base, o, t = sides(
        lambda it: it.set_framework("finops-2025"), lambda it: it.tick(BM), base=base
    )
    it = merge(base, o, t).iteration
    assert it.framework == "finops-2025" and it.capabilities == []
    assert paths(it) == [f"scope[{BM}]"]


def test_conflicts_already_in_the_files_are_kept_and_resolutions_win() -> None:
    base, o, t = sides(lambda it: it.retitle("Ours"), lambda it: it.retitle("Theirs"))
    first = merge(base, o, t).iteration
    # ours resolves it; theirs meanwhile edits the notes: the resolution stands
    ours = first.model_copy(deep=True)
    ours.resolve_conflict("title", "theirs")
    theirs = first.model_copy(deep=True)
    theirs.describe_team("Notes")
    it = merge(first, ours, theirs).iteration
    assert it.title == "Theirs" and not it.conflicts and it.stakeholders.notes == "Notes"
    # neither resolves: the entry stays once
    it = merge(first, first.model_copy(deep=True), theirs).iteration
    assert paths(it) == ["title"]


def test_the_file_merge_refuses_a_side_that_is_not_an_iteration() -> None:
    good = render(make_iteration())
    with pytest.raises(MergeError, match="theirs: TOML syntax error"):
        merge_files(good, good, b"title = = 1")
    with pytest.raises(MergeError, match="ours: "):
        merge_files(good, b'schema_version = 1\nid = "x"', good)
    with pytest.raises(MergeError, match="not UTF-8"):
        merge_files(good, good, b"\xff\xfe")
    data, merged = merge_files(b"", good, good)  # both added it
    assert data == good and merged.clean


def test_resolving_an_unknown_path_says_so() -> None:
    with pytest.raises(KeyError):
        make_iteration().resolve_conflict("title", "ours")


# -- properties ---------------------------------------------------------------------------------

Area = tuple[str, ...]
Edit = tuple[Area, Callable[[Iteration], object]]
TEXT = st.text(alphabet=string.ascii_letters + ' é"\n[]', min_size=1, max_size=8).filter(str.strip)
CATALOGUE = [c.id for c in load_catalog("finops-2023").capabilities]


def candidates(it: Iteration, side: str, draw: st.DrawFn) -> list[Edit]:
    """Edits through the model's named methods, each with the area it touches."""
    text = draw(TEXT)
    number = draw(st.integers(0, 4))
    out: list[Edit] = [
        (("title",), lambda x: x.retitle(text)),
        (("notes",), lambda x: x.describe_team(text)),
        (("dates",), lambda x: x.set_dates(x.starts, x.ends + timedelta(days=number + 1))),
        (("status",), lambda x: x.reopen() if x.read_only else x.close(date(2026, 12, 20))),
        (("people-add", side), lambda x: x.add_person(text)),
    ]
    out += [
        (("group", g.value), lambda x, g=g: x.set_group(g, not getattr(x.stakeholders, g.value)))
        for g in Group
    ]
    out += [
        (("review", part), lambda x, part=part: x.set_retrospective(part, text))
        for part in ("went_well", "went_poorly", "improve")
    ]
    for person in it.stakeholders.people:
        pid = person.id
        out.append((("person", pid), lambda x, pid=pid: x.remove_person(x.person_index(pid))))
        out.append(
            (
                ("person", pid),
                lambda x, pid=pid: x.edit_person(x.person_index(pid), name=text, group=None),
            )
        )
    for cap in CATALOGUE:
        if cap not in it.capabilities:
            out.append((("scope", cap), lambda x, cap=cap: x.tick(cap)))
    for cap in it.capabilities:
        out.append((("scope", cap), lambda x, cap=cap: x.untick(cap)))
        out.append(
            (("scope", cap, "target"), lambda x, cap=cap: x.set_target_score(cap, number + 8))
        )
        for lens in LENSES:
            cell = ("scope", cap, lens.value)
            out.append(
                (("scope", cap, "weight", lens.value),
                 lambda x, cap=cap, lens=lens: x.set_lens_weight(cap, lens, number))
            )  # fmt: skip
            out.append((cell, lambda x, cap=cap, lens=lens: x.set_level(cap, lens, number)))
            out.append((cell, lambda x, cap=cap, lens=lens: x.raise_target(cap, lens)))
            out.append((cell, lambda x, cap=cap, lens=lens: x.lower_target(cap, lens)))
    for goal in it.goals:
        gid, cell = goal.id, ("scope", goal.capability, goal.lens.value)
        out += [
            ((*cell, "text"), lambda x, gid=gid: x.describe_goal(gid, statement=text, target=text)),
            ((*cell, "outcome"),
             lambda x, gid=gid: x.record_outcome(gid, Outcome.PARTLY, None, text)),
            ((*cell, "add", side), lambda x, gid=gid: x.add_action(gid, text)),
            (
                (*cell, "text"),
                lambda x, gid=gid: x.record_measurement(
                    gid,
                    Measurement(at=NOW + timedelta(minutes=number), value=number, unit="ratio"),
                    kpi="budget-variance", shown=text, metric=text,
                ),
            ),
        ]  # fmt: skip
        for action in goal.actions:
            aid = action.id
            out += [
                ((*cell, "action", aid),
                 lambda x, aid=aid: x.advance_action(*x.action_position(aid))),
                ((*cell, "action", aid),
                 lambda x, aid=aid: x.remove_action(*x.action_position(aid))),
                ((*cell, "action", aid),
                 lambda x, aid=aid: x.edit_action(*x.action_position(aid), title=text, owner=text)),
            ]  # fmt: skip
    return out


def overlaps(a: Area, b: Area) -> bool:
    return a[: len(b)] == b or b[: len(a)] == a


@st.composite
def histories(draw: st.DrawFn, disjoint: bool) -> tuple[Iteration, Iteration, Iteration, Iteration]:
    """(base, ours, theirs, both edits applied in turn) from a few random edits each."""
    base = make_iteration()
    for _ in range(draw(st.integers(0, 3))):
        area, edit = draw(st.sampled_from(candidates(base, "base", draw)))
        edit(base)
    base = base.validated()
    chosen: dict[str, list[Edit]] = {}
    for side in ("ours", "theirs"):
        options = candidates(base, side, draw)
        if disjoint and side == "theirs":
            taken = [area for area, _ in chosen["ours"]]
            options = [e for e in options if not any(overlaps(e[0], a) for a in taken)]
        picked: list[Edit] = []
        for _ in range(draw(st.integers(1, 3))):
            area, edit = draw(st.sampled_from(options))
            if not any(overlaps(area, a) for a, _ in picked):
                picked.append((area, edit))
        chosen[side] = picked
    ours, theirs = base.model_copy(deep=True), base.model_copy(deep=True)
    both = base.model_copy(deep=True)
    for side, iteration, when in (("ours", ours, T1), ("theirs", theirs, T2)):
        for _, edit in chosen[side]:
            edit(iteration)
            edit(both) if disjoint else None
        iteration.touch(when)
    both.touch(T2)
    return base, ours.validated(), theirs.validated(), both.validated()


def comparable(iteration: Iteration, base: Iteration) -> dict[str, Any]:
    """The document with the ids of records made since `base` (random, or numbered per file)
    replaced: the merge and the edits applied in turn give them independently."""
    known = {p.id for p in base.stakeholders.people}
    known |= {a.id for g in base.goals for a in g.actions}
    document = iteration.to_document()
    for person in document["stakeholders"].get("people", []):
        person["id"] = person["id"] if person["id"] in known else "new"
    for goal in document.get("goals", []):
        goal["id"] = "goal"
        for action in goal.get("actions", []):
            action["id"] = action["id"] if action["id"] in known else "new"
    return document


PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(histories(disjoint=True))
def test_edits_on_disjoint_fields_merge_to_both_edits_applied(
    history: tuple[Iteration, Iteration, Iteration, Iteration],
) -> None:
    base, ours, theirs, both = history
    merged = merge(base, ours, theirs)
    assert merged.clean, [c.path for c in merged.conflicts]
    assert comparable(merged.iteration, base) == comparable(both, base)
    assert merged.iteration.validated() == merged.iteration


@PROPERTY
@given(histories(disjoint=False))
def test_merging_with_an_unchanged_side_gives_the_other(
    history: tuple[Iteration, Iteration, Iteration, Iteration],
) -> None:
    base, x, y, _ = history
    assert merge(x, x, y).iteration.to_document() == y.to_document()
    assert merge(base, x, base).iteration.to_document() == x.to_document()


@PROPERTY
@given(histories(disjoint=False))
def test_any_merge_is_valid_and_every_conflict_can_be_settled(
    history: tuple[Iteration, Iteration, Iteration, Iteration],
) -> None:
    base, ours, theirs, _ = history
    merged = merge(base, ours, theirs).iteration
    assert parse(render(merged), "merged") == merged
    for conflict in merged.conflicts:
        describe(merged, conflict)
        with contextlib.suppress(ValueError):  # their value no longer fits: said, nothing changed
            merged.model_copy(deep=True).resolve_conflict(conflict.path, "theirs")
    settled = merged.model_copy(deep=True)
    for path in paths(merged):
        settled.resolve_conflict(path, "ours")
    assert not settled.conflicts


@PROPERTY
@given(histories(disjoint=False))
def test_trees_round_trip(history: tuple[Iteration, Iteration, Iteration, Iteration]) -> None:
    for iteration in history:
        assert from_tree(to_tree(iteration), iteration.conflicts) == iteration


def test_merged_time_is_the_merge_time() -> None:
    base, o, t = sides(lambda it: it.retitle("A"), lambda it: it.retitle("B"))
    when = datetime(2027, 1, 1, tzinfo=UTC)
    assert merge(base, o, t, now=when).iteration.conflicts[0].when == when
