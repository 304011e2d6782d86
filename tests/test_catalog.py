"""The FinOps catalogue: the tutorial's 18 capabilities, six starter groups and five lenses."""

from __future__ import annotations

import subprocess
import sys

import pytest

from finops_tui.catalog import (
    CatalogError,
    available_catalogs,
    load_catalog,
    parse_catalog,
)
from finops_tui.lenses import Lens

DOMAINS = {
    "understand-usage-cost": [
        "data-analysis-showback",
        "cost-allocation",
        "managing-shared-cost",
        "data-ingestion-normalization",
    ],
    "performance-tracking-benchmarking": [
        "forecasting",
        "budget-management",
        "measuring-unit-costs",
    ],
    "real-time-decision-making": ["managing-anomalies", "decision-accountability-structure"],
    "cloud-rate-optimization": ["commitment-based-discounts"],
    "cloud-usage-optimization": [
        "resource-utilization-efficiency",
        "workload-management-automation",
        "onboarding-workloads",
    ],
    "organizational-alignment": [
        "cloud-policy-governance",
        "chargeback-finance-integration",
        "finops-education-enablement",
        "finops-culture",
        "finops-intersecting-frameworks",
    ],
}

STARTER_GROUPS = {
    "new-to-finops": [
        "data-analysis-showback",
        "forecasting",
        "budget-management",
        "resource-utilization-efficiency",
        "managing-anomalies",
    ],
    "new-finops-team": [
        "decision-accountability-structure",
        "onboarding-workloads",
        "finops-culture",
        "finops-education-enablement",
    ],
    "broad-shared-ownership": [
        "cost-allocation",
        "managing-shared-cost",
        "data-analysis-showback",
        "chargeback-finance-integration",
        "commitment-based-discounts",
    ],
    "advanced-reporting": [
        "data-ingestion-normalization",
        "cost-allocation",
        "data-analysis-showback",
    ],
    "automation-optimization": [
        "resource-utilization-efficiency",
        "commitment-based-discounts",
        "workload-management-automation",
        "cloud-policy-governance",
        "managing-anomalies",
        "budget-management",
    ],
    "business-value": [
        "measuring-unit-costs",
        "managing-shared-cost",
        "data-analysis-showback",
        "budget-management",
    ],
}


def test_the_bundled_catalogue_matches_the_tutorial() -> None:
    catalog = load_catalog()
    assert available_catalogs() == ["finops-2023"]
    assert [d.id for d in catalog.domains] == list(DOMAINS)
    assert len(catalog.capabilities) == 18
    for domain, ids in DOMAINS.items():
        assert [c.id for c in catalog.capabilities_in(domain)] == ids
    assert {g.id: list(g.capabilities) for g in catalog.starter_groups} == STARTER_GROUPS
    assert [lens.id for lens in catalog.lenses] == list(Lens)
    assert all([lv.level for lv in lens.levels] == [0, 1, 2, 3, 4] for lens in catalog.lenses)


def test_every_entry_is_complete() -> None:
    catalog = load_catalog()
    for capability in catalog.capabilities:
        assert 1 <= len(capability.kpis) <= 3
        assert capability.url.startswith("https://learn.microsoft.com/")
        assert capability.framework_url.startswith("https://www.finops.org/framework/")
        assert capability.description.endswith(".")
    for group in catalog.starter_groups:
        assert all(catalog.has_capability(c) for c in group.capabilities)
        assert group.title and group.description
    assert catalog.level(Lens.METRICS, 1).label == "Identified metrics"
    assert "baseline" in catalog.level("metrics", 1).advice.lower()
    assert catalog.lens("knowledge").levels[4].label == "Knowledge leader"


def test_lookups() -> None:
    catalog = load_catalog()
    assert catalog.capability("forecasting").domain == "performance-tracking-benchmarking"
    assert catalog.domain("cloud-rate-optimization").name == "Cloud rate optimization"
    assert not catalog.has_capability("nope")
    with pytest.raises(KeyError, match="no capability 'nope'"):
        catalog.capability("nope")
    assert load_catalog() is catalog


@pytest.mark.parametrize("bad", ["finops-1999", "../finops-2023", "Finops"])
def test_unknown_or_unsafe_catalogue_ids(bad: str) -> None:
    with pytest.raises(CatalogError, match=r"finops-2023|not a valid"):
        load_catalog(bad)


MINIMAL = """
id = "mini"
name = "Mini"
source = "tests"

[[domains]]
id = "d1"
name = "Domain one"

[[capabilities]]
id = "c1"
name = "Capability one"
domain = "d1"
description = "Does one thing."
url = "https://example.org/c1"
framework_url = "https://example.org/f/c1"
kpis = ["k1"]

[[starter_groups]]
id = "g1"
title = "Group one"
description = "For tests."
capabilities = ["c1"]
""" + "".join(
    f'\n[[lenses]]\nid = "{lens.value}"\nname = "{lens.label}"\nquestion = "?"\n'
    + "".join(
        f'\n[[lenses.levels]]\nlevel = {n}\nlabel = "L{n}"\nmeaning = "m"\nadvice = "a"\n'
        for n in range(5)
    )
    for lens in Lens
)


def test_the_minimal_catalogue_is_valid() -> None:
    assert parse_catalog(MINIMAL, "mini").capability("c1").kpis == ("k1",)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'capabilities = ["c1"]',
            'capabilities = ["c1", "c9"]',
            "starter group 'g1' names unknown capability 'c9'",
        ),
        ('capabilities = ["c1"]', 'capabilities = ["c1", "c1"]', "lists a capability twice"),
        ('domain = "d1"', 'domain = "d9"', "capability 'c1' names unknown domain 'd9'"),
        (
            'id = "d1"\nname = "Domain one"',
            'id = "d1"\nname = "One"\n[[domains]]\nid = "d1"\nname = "Again"',
            "domain id 'd1' is used twice",
        ),
        ("level = 3\n", "level = 7\n", "lenses[0].levels[3].level"),
        ('kpis = ["k1"]', "kpis = []", "capabilities[0].kpis"),
        ('kpis = ["k1"]', 'kpis = ["a", "b", "c", "d"]', "capabilities[0].kpis"),
        ('url = "https://example.org/c1"', 'url = "http://example.org/c1"', "https://"),
        ('description = "Does one thing."', 'description = "  "', "must not be empty"),
        ('name = "Capability one"\n', "", "capabilities[0].name: Field required"),
        ('title = "Group one"', 'title = "Group one"\ncolour = "red"', "starter_groups[0].colour"),
        ('id = "knowledge"', 'id = "wisdom"', "lenses[0].id"),
        ('source = "tests"', 'source = "tests"\n[broken', "TOML syntax error"),
    ],
)
def test_a_broken_catalogue_names_the_entry(old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    with pytest.raises(CatalogError) as info:
        parse_catalog(MINIMAL.replace(old, new, 1), "mini")
    assert str(info.value).startswith("mini: ")
    assert expected in str(info.value)


def test_lens_order_and_missing_levels_are_named() -> None:
    swapped = (
        MINIMAL.replace('id = "knowledge"', 'id = "tmp"')
        .replace('id = "process"', 'id = "knowledge"')
        .replace('id = "tmp"', 'id = "process"')
    )
    with pytest.raises(CatalogError, match="lenses must be knowledge, process"):
        parse_catalog(swapped, "mini")
    head, _, tail = MINIMAL.partition('id = "metrics"')
    tail = tail.replace("\n[[lenses.levels]]\nlevel = 3\n", "\n[[lenses.levels]]\nlevel = 4\n", 1)
    with pytest.raises(CatalogError, match="lens 'metrics' must define levels 0-4 in order"):
        parse_catalog(head + 'id = "metrics"' + tail, "mini")


def test_importing_the_catalogue_does_not_import_textual() -> None:
    code = (
        "import sys, finops_tui.catalog as c\n"
        "c.load_catalog()\n"
        "assert 'textual' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_cost_kpis_name_known_kpis_and_every_kpi_serves_a_capability() -> None:
    from finops_tui.focus.kpis import KPIS

    catalog = load_catalog()
    named = {k for c in catalog.capabilities for k in c.cost_kpis}
    assert named <= set(KPIS)
    assert set(KPIS) <= named
    assert catalog.capability("commitment-based-discounts").cost_kpis[0] == "commitment-utilization"
