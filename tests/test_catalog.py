"""The built-in catalogues (the tutorial's 2023 list and the current 2025 framework), the
shared lenses, and how a broken catalogue is reported."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from finops_tui.catalog import (
    CatalogError,
    available_catalogs,
    catalog_json_schema,
    load_catalog,
    parse_catalog,
    parse_lenses,
    shared_lenses,
)
from finops_tui.focus.kpis import KPIS
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

# Microsoft's FinOps capabilities page, in its order (4 + 5 + 5 + 8 = 22).
DOMAINS_2025 = {
    "understand": ["data-ingestion", "allocation", "reporting-analytics", "anomaly-management"],
    "quantify": [
        "planning-estimating",
        "forecasting",
        "budgeting",
        "benchmarking",
        "unit-economics",
    ],
    "optimize": [
        "architecting-for-cloud",
        "workload-optimization",
        "rate-optimization",
        "licensing-saas",
        "cloud-sustainability",
    ],
    "manage": [
        "finops-education-enablement",
        "finops-practice-operations",
        "onboarding-workloads",
        "policy-governance",
        "invoicing-chargeback",
        "finops-assessment",
        "finops-tools-services",
        "intersecting-disciplines",
    ],
}

# Microsoft's redirects from the 2023 pages to the 2024/2025 ones (finops-domain.md §2.4).
SUCCESSORS = {
    "data-analysis-showback": ("reporting-analytics",),
    "cost-allocation": ("allocation",),
    "managing-shared-cost": ("allocation",),
    "data-ingestion-normalization": ("data-ingestion",),
    "forecasting": ("forecasting",),
    "budget-management": ("budgeting",),
    "measuring-unit-costs": ("unit-economics",),
    "managing-anomalies": ("anomaly-management",),
    "decision-accountability-structure": ("finops-practice-operations",),
    "resource-utilization-efficiency": ("workload-optimization",),
    "workload-management-automation": ("workload-optimization",),
    "onboarding-workloads": ("onboarding-workloads",),
    "commitment-based-discounts": ("rate-optimization",),
    "cloud-policy-governance": ("policy-governance",),
    "chargeback-finance-integration": ("invoicing-chargeback",),
    "finops-education-enablement": ("finops-education-enablement",),
    "finops-culture": ("finops-education-enablement",),
    "finops-intersecting-frameworks": ("intersecting-disciplines",),
}
NEW_IN_2024 = {
    "planning-estimating",
    "benchmarking",
    "architecting-for-cloud",
    "licensing-saas",
    "cloud-sustainability",
    "finops-assessment",
    "finops-tools-services",
}


def test_the_2023_catalogue_matches_the_tutorial() -> None:
    catalog = load_catalog()
    assert available_catalogs() == ["finops-2023", "finops-2025"]
    shipped = resources.files("finops_tui") / "assets" / "catalogs"
    assert sorted(e.name for e in shipped.iterdir()) == [f"{i}.toml" for i in available_catalogs()]
    assert [d.id for d in catalog.domains] == list(DOMAINS)
    assert len(catalog.capabilities) == 18
    for domain, ids in DOMAINS.items():
        assert [c.id for c in catalog.capabilities_in(domain)] == ids
    assert {g.id: list(g.capabilities) for g in catalog.starter_groups} == STARTER_GROUPS
    assert catalog.succeeds is None


def test_the_2025_catalogue_matches_microsofts_list() -> None:
    catalog = load_catalog("finops-2025")
    assert catalog.succeeds == "finops-2023"
    assert [d.id for d in catalog.domains] == list(DOMAINS_2025)
    assert len(catalog.capabilities) == 22
    for domain, ids in DOMAINS_2025.items():
        assert [c.id for c in catalog.capabilities_in(domain)] == ids
    assert catalog.capability("policy-governance").name == "Policy and governance"
    assert catalog.domain("understand").name == "Understand usage and cost"
    for capability in catalog.capabilities:
        assert capability.url.startswith("https://learn.microsoft.com/cloud-computing/finops/")
    # Microsoft's current tutorial lists the shared-ownership group twice; it is one here.
    assert len(catalog.starter_groups) == 6
    assert list(catalog.starter_groups[0].capabilities) == [
        "reporting-analytics", "forecasting", "budgeting", "workload-optimization",
        "anomaly-management",
    ]  # fmt: skip


@pytest.mark.parametrize("catalog_id", ["finops-2023", "finops-2025"])
def test_every_builtin_catalogue_keeps_the_rules(catalog_id: str) -> None:
    catalog = load_catalog(catalog_id)
    for entries in (catalog.domains, catalog.capabilities, catalog.starter_groups):
        ids = [e.id for e in entries]
        assert len(ids) == len(set(ids)), f"duplicate ids in {catalog_id}"
    domains = {d.id for d in catalog.domains}
    for capability in catalog.capabilities:
        assert capability.domain in domains
        assert capability.url.startswith("https://")
        assert capability.framework_url.startswith("https://www.finops.org/")
        assert 1 <= len(capability.kpis) <= 3
        assert capability.description.endswith(".")
        assert set(capability.cost_kpis) <= set(KPIS), capability.id
    assert all(catalog.capabilities_in(d.id) for d in catalog.domains)
    for group in catalog.starter_groups:
        assert all(catalog.has_capability(c) for c in group.capabilities)
        assert group.title and group.description
    # Every KPI computed from cost data serves some capability of each framework.
    assert set(KPIS) <= {k for c in catalog.capabilities for k in c.cost_kpis}


def test_every_2023_capability_has_a_successor_in_2025() -> None:
    old, new = load_catalog("finops-2023"), load_catalog("finops-2025")
    assert {c.id: new.successors_of(c.id) for c in old.capabilities} == SUCCESSORS
    named = {old_id for c in new.capabilities for old_id in c.successor_of}
    assert named == {c.id for c in old.capabilities}
    assert {c.id for c in new.capabilities if not c.successor_of} == NEW_IN_2024
    assert new.capability("allocation").successor_of == ("cost-allocation", "managing-shared-cost")


def test_both_frameworks_share_one_set_of_lenses() -> None:
    old, new = load_catalog("finops-2023"), load_catalog("finops-2025")
    assert old.lenses is new.lenses is shared_lenses()
    assert [lens.id for lens in old.lenses] == list(Lens)
    assert all([lv.level for lv in lens.levels] == [0, 1, 2, 3, 4] for lens in old.lenses)
    assert new.level(Lens.METRICS, 1).label == "Identified metrics"
    assert "baseline" in new.level("metrics", 1).advice.lower()
    assert old.lens("knowledge").levels[4].label == "Knowledge leader"
    # The level texts live in one file, not in each catalogue.
    catalogs = resources.files("finops_tui") / "assets" / "catalogs"
    for name in ("finops-2023.toml", "finops-2025.toml"):
        assert "[[lenses" not in (catalogs / name).read_text(encoding="utf-8")


def test_lookups() -> None:
    catalog = load_catalog()
    assert catalog.capability("forecasting").domain == "performance-tracking-benchmarking"
    assert catalog.domain("cloud-rate-optimization").name == "Cloud rate optimization"
    assert not catalog.has_capability("nope")
    with pytest.raises(KeyError, match="no capability 'nope'"):
        catalog.capability("nope")
    assert load_catalog() is catalog
    assert load_catalog("finops-2025").successors_of("nope") == ()


@pytest.mark.parametrize("bad", ["finops-1999", "../finops-2023", "Finops"])
def test_unknown_or_unsafe_catalogue_ids(bad: str) -> None:
    with pytest.raises(CatalogError, match=r"finops-2023|not a valid"):
        load_catalog(bad)


MINIMAL = """\
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
"""


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


def test_the_minimal_catalogue_is_valid() -> None:
    catalog = parse_catalog(MINIMAL, "mini")
    assert catalog.capability("c1").kpis == ("k1",)
    assert catalog.lenses == shared_lenses()


@pytest.mark.parametrize(
    ("old", "new", "expected", "at"),
    [
        (
            'capabilities = ["c1"]',
            'capabilities = ["c1", "c9"]',
            "starter group 'g1' names unknown capability 'c9'",
            'capabilities = ["c1", "c9"]',
        ),
        (
            'capabilities = ["c1"]',
            'capabilities = ["c1", "c1"]',
            "lists a capability twice",
            'capabilities = ["c1", "c1"]',
        ),
        ('domain = "d1"', 'domain = "d9"', "capability 'c1' names unknown domain 'd9'", "d9"),
        (
            'id = "d1"\nname = "Domain one"',
            'id = "d1"\nname = "One"\n[[domains]]\nid = "d1"\nname = "Again"',
            "domain id 'd1' is used twice",
            'id = "d1"\nname = "Again"',
        ),
        (
            '[[starter_groups]]',
            '[[capabilities]]\nid = "c1"\nname = "Twin"\ndomain = "d1"\ndescription = "x"\n'
            'url = "https://e.org"\nframework_url = "https://e.org"\nkpis = ["k"]\n'
            '[[starter_groups]]',
            "capability id 'c1' is used twice",
            'id = "c1"\nname = "Twin"',
        ),
        ('kpis = ["k1"]', "kpis = []", "capabilities[0].kpis", "kpis = []"),
        ('kpis = ["k1"]', 'kpis = ["a", "b", "c", "d"]', "capabilities[0].kpis", "kpis = [\"a"),
        ('url = "https://example.org/c1"', 'url = "http://example.org/c1"', "https://", "url ="),
        ('url = "https://example.org/c1"', 'url = "https://e.org/a b"', "without spaces", "url ="),
        ('description = "Does one thing."', 'description = "  "', "must not be empty", "descr"),
        ('name = "Capability one"\n', "", "capabilities[0].name: Field required", "[[capa"),
        ('title = "Group one"', 'title = "Group one"\ncolour = "red"', "colour: unknown", "col"),
        ('source = "tests"', 'source = "tests"\nsucceeds = "mini"', "succeed itself", "succ"),
        (
            'kpis = ["k1"]',
            'kpis = ["k1"]\nsuccessor_of = ["old"]',
            "does not say which catalogue it succeeds",
            "successor_of",
        ),
        (
            'kpis = ["k1"]',
            'kpis = ["k1"]\ncost_kpis = ["tag-coverage", "tag-coverage"]',
            "lists an id twice in cost_kpis",
            "cost_kpis",
        ),
        ('[[starter_groups]]', '[[domains]]\nid = "d2"\nname = "Empty"\n[[starter_groups]]',
         "domain 'd2' has no capabilities", 'id = "d2"'),
        ('source = "tests"', 'source = "tests"\n[broken', "TOML syntax error", "[broken"),
        ('id = "mini"', 'id = "Mini!"', "catalogue id 'Mini!' is not a valid id", "id = \"Mini"),
    ],
)  # fmt: skip
def test_a_broken_catalogue_names_the_entry_and_the_line(
    old: str, new: str, expected: str, at: str
) -> None:
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    with pytest.raises(CatalogError) as info:
        parse_catalog(text, "mini")
    assert str(info.value).startswith("mini: ")
    assert expected in info.value.reason
    assert info.value.line == line_of(text, at)


def test_a_catalogue_no_longer_holds_lenses() -> None:
    with pytest.raises(CatalogError, match="lenses: unknown key"):
        parse_catalog(MINIMAL + '\n[[lenses]]\nid = "knowledge"\n', "mini")


LENSES = "".join(
    f'\n[[lenses]]\nid = "{lens.value}"\nname = "{lens.label}"\nquestion = "?"\n'
    + "".join(
        f'\n[[lenses.levels]]\nlevel = {n}\nlabel = "L{n}"\nmeaning = "m"\nadvice = "a"\n'
        for n in range(5)
    )
    for lens in Lens
)


def test_lens_order_and_missing_levels_are_named() -> None:
    assert len(parse_lenses(LENSES, "lenses")) == 5
    swapped = (
        LENSES.replace('id = "knowledge"', 'id = "tmp"')
        .replace('id = "process"', 'id = "knowledge"')
        .replace('id = "tmp"', 'id = "process"')
    )
    with pytest.raises(CatalogError, match="lenses must be knowledge, process"):
        parse_lenses(swapped, "lenses")
    head, _, tail = LENSES.partition('id = "metrics"')
    tail = tail.replace("\n[[lenses.levels]]\nlevel = 3\n", "\n[[lenses.levels]]\nlevel = 4\n", 1)
    with pytest.raises(CatalogError, match="lens 'metrics' must define levels 0-4 in order"):
        parse_lenses(head + 'id = "metrics"' + tail, "lenses")
    with pytest.raises(CatalogError, match=r"lenses\[0\].levels\[3\].level"):
        parse_lenses(LENSES.replace("level = 3\n", "level = 7\n", 1), "lenses")


def test_importing_the_catalogue_does_not_import_textual() -> None:
    code = (
        "import sys, finops_tui.catalog as c\n"
        "c.load_catalog(); c.load_catalog('finops-2025')\n"
        "assert 'textual' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "catalog.schema.json"


def test_the_documented_json_schema_is_the_one_the_code_checks() -> None:
    # Regenerate with: python -c "import json; from finops_tui.catalog import
    # catalog_json_schema as s; print(json.dumps(s(), indent=2, ensure_ascii=False))"
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == catalog_json_schema()


def schema_errors(
    value: Any, schema: dict[str, Any], root: dict[str, Any], at: str = ""
) -> list[str]:
    """The subset of JSON Schema the catalogue schema uses, enough to check files against it."""
    if "$ref" in schema:
        return schema_errors(value, root["$defs"][schema["$ref"].split("/")[-1]], root, at)
    if "anyOf" in schema:
        options = [schema_errors(value, option, root, at) for option in schema["anyOf"]]
        return [] if any(not o for o in options) else options[0]
    kind = schema.get("type")
    if kind == "null":
        return [] if value is None else [f"{at}: not null"]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{at}: not a string"]
        pattern = schema.get("pattern")
        return (
            [f"{at}: does not match {pattern}"] if pattern and not re.search(pattern, value) else []
        )
    if kind == "array":
        if not isinstance(value, list):
            return [f"{at}: not an array"]
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            return [f"{at}: {len(value)} items"]
        return [
            e
            for i, v in enumerate(value)
            for e in schema_errors(v, schema["items"], root, f"{at}[{i}]")
        ]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{at}: not an object"]
        errors = [f"{at}.{k}: missing" for k in schema.get("required", []) if k not in value]
        for key, item in value.items():
            if key not in schema["properties"]:
                errors.append(f"{at}.{key}: not allowed")
            else:
                errors += schema_errors(item, schema["properties"][key], root, f"{at}.{key}")
        return errors
    raise AssertionError(f"schema feature not covered: {schema}")


@pytest.mark.parametrize("name", ["finops-2023.toml", "finops-2025.toml"])
def test_the_builtin_catalogues_match_the_json_schema(name: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    text = (resources.files("finops_tui") / "assets" / "catalogs" / name).read_text("utf-8")
    assert schema_errors(tomllib.loads(text), schema, schema) == []


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('kpis = ["k1"]', "kpis = []", ".capabilities[0].kpis: 0 items"),
        ('url = "https://example.org/c1"', 'url = "http://x"', ".capabilities[0].url: does not"),
        ('id = "d1"', 'id = "D 1"', ".domains[0].id: does not match"),
        ('title = "Group one"', 'title = " "', ".starter_groups[0].title: does not match"),
        ('name = "Mini"\n', 'name = "Mini"\ncolour = 1\n', ".colour: not allowed"),
        ('source = "tests"\n', "", ".source: missing"),
    ],
)
def test_the_json_schema_rejects_what_the_code_rejects(old: str, new: str, error: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    text = MINIMAL.replace(old, new, 1)
    assert schema_errors(tomllib.loads(MINIMAL), schema, schema) == []
    assert any(e.startswith(error) for e in schema_errors(tomllib.loads(text), schema, schema))
    with pytest.raises(CatalogError):
        parse_catalog(text, "mini")
