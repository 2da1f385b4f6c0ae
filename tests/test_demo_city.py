"""The synthetic city: deterministic, the right size, and a roster the importer accepts as is."""

import copy
import csv
import re
import time
from collections import Counter
from datetime import date
from pathlib import Path

import apprise
import pytest

from demo import names
from demo.city import generate_city, write_roster_csv
from roster.columns import ROSTER_COLUMNS
from roster.csv_file import read_roster_csv
from roster.validation import KnownRoster, validate_roster

Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def city() -> Rows:
    return generate_city(employees=300, seed=11)


@pytest.fixture(scope="module")
def big_city() -> Rows:
    return generate_city(employees=10_000, seed=5)


# --- invariant checkers, each returning what is wrong (tested below against broken rosters) ---


def supervisor_problems(rows: Rows) -> list[str]:
    """Unknown or self supervisors, cycles, and anything but exactly one person at the top."""
    boss = {row["nip"]: row["supervisor_nip"] for row in rows}
    problems = [f"{nip}: unknown supervisor {sup}" for nip, sup in boss.items() if sup and sup not in boss]
    problems += [f"{nip} supervises themself" for nip, sup in boss.items() if sup == nip]
    tops = [nip for nip, sup in boss.items() if not sup]
    if len(tops) != 1:
        problems.append(f"expected exactly one person without a supervisor, found {len(tops)}")
    reaches_top: set[str] = set(tops)
    for start in boss:
        path, node = [], start
        while node in boss and node not in reaches_top and node not in path:
            path.append(node)
            node = boss[node]
        if node in path:
            problems.append(f"supervisor cycle through {node}")
        elif node in reaches_top:
            reaches_top.update(path)
    return problems


def unit_problems(rows: Rows) -> list[str]:
    """Inconsistent unit definitions, unknown parents, parent cycles, units with fewer than two people."""
    definitions: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        definitions.setdefault(row["unit_code"], set()).add((row["unit_name"], row["parent_unit_code"]))
    problems = [f"{code} defined {len(d)} ways" for code, d in definitions.items() if len(d) != 1]
    parent = {code: next(iter(d))[1] for code, d in definitions.items()}
    problems += [f"{code}: unknown parent {p}" for code, p in parent.items() if p and p not in parent]
    roots = [code for code, p in parent.items() if not p]
    if roots != ["SETDA"]:
        problems.append(f"expected SETDA as the only top unit, found {roots}")
    for code in parent:
        seen, node = set(), code
        while parent.get(node):
            if node in seen:
                problems.append(f"unit parent cycle through {node}")
                break
            seen.add(node)
            node = parent[node]
    sizes = Counter(row["unit_code"] for row in rows)
    problems += [f"{code} has only {n} employee" for code, n in sizes.items() if n < 2]
    return problems


def nip_problems(row: dict[str, str]) -> list[str]:
    """The embedded parts of one NIP, checked independently of roster.nip."""
    nip = row["nip"]
    if not re.fullmatch(r"\d{18}", nip):
        return [f"{nip}: not 18 digits"]
    problems = []
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return [f"{nip}: invalid birth date"]
    if not 22 <= 2026 - birth.year <= 58:
        problems.append(f"{nip}: age {2026 - birth.year} outside 22-58")
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < birth.year + 18 or (year, month) > (2026, 6):
        problems.append(f"{nip}: implausible appointment {nip[8:14]}")
    if nip[14] not in "12":
        problems.append(f"{nip}: gender digit {nip[14]}")
    if nip[15:] == "000":
        problems.append(f"{nip}: sequence 000")
    return problems


def test_checkers_catch_broken_rosters(city: Rows) -> None:
    assert supervisor_problems(city) == [] and unit_problems(city) == []
    cyclic = copy.deepcopy(city)
    cyclic[0]["supervisor_nip"] = cyclic[-1]["nip"]  # the Sekda now reports to someone below her
    assert any("cycle" in p for p in supervisor_problems(cyclic))
    moved = copy.deepcopy(city)
    moved[-1]["parent_unit_code"] = "NOWHERE"
    assert unit_problems(moved)
    assert nip_problems({"nip": "197002301995031001"}) == ["197002301995031001: invalid birth date"]
    assert nip_problems({"nip": "197001011980031001"})  # appointed at ten


# --- determinism and size ---


def test_same_seed_gives_identical_rows() -> None:
    assert generate_city(200, seed=3) == generate_city(200, seed=3)


def test_different_seed_gives_a_different_city() -> None:
    assert generate_city(200, seed=3) != generate_city(200, seed=4)


def test_generator_does_not_touch_global_random() -> None:
    import random

    random.seed(99)
    expected = random.random()
    random.seed(99)
    generate_city(100, seed=1)
    assert random.random() == expected


@pytest.mark.parametrize("employees", [10, 11, 13, 50, 301, 1234])
def test_exact_count_and_valid_structure(employees: int) -> None:
    rows = generate_city(employees, seed=employees)
    assert len(rows) == employees
    assert supervisor_problems(rows) == []
    assert unit_problems(rows) == []


def test_fewer_than_ten_employees_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        generate_city(9)


def test_rows_have_exactly_the_roster_columns_as_strings(city: Rows) -> None:
    for row in city:
        assert tuple(row) == ROSTER_COLUMNS
        assert all(isinstance(value, str) for value in row.values())


def test_timezone_is_everyones(city: Rows) -> None:
    assert {row["timezone"] for row in city} == {"Asia/Jakarta"}
    makassar = generate_city(50, seed=11, timezone="Asia/Makassar")
    assert {row["timezone"] for row in makassar} == {"Asia/Makassar"}


# --- people ---


def test_nips_are_valid_and_unique(city: Rows) -> None:
    assert [p for row in city for p in nip_problems(row)] == []
    assert len({row["nip"] for row in city}) == len(city)


def test_gender_digit_matches_gendered_jobs_and_names(city: Rows) -> None:
    female_only = set(names.FEMALE_GIVEN + names.FEMALE_SINGLE + names.CHRISTIAN_FEMALE_GIVEN) - set(
        names.MALE_GIVEN + names.MALE_SINGLE + names.CHRISTIAN_MALE_GIVEN + names.MALE_LEADING
    )
    for row in city:
        if row["position"].startswith("Bidan"):
            assert row["nip"][14] == "2", row
        words = set(re.findall(r"[A-Z][a-z]+", row["name"]))
        if words & female_only:
            assert row["nip"][14] == "2", row


def test_emails_are_unique_lowercase_and_on_the_city_domain(big_city: Rows) -> None:
    emails = [row["email"] for row in big_city]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z]+(\.[a-z]+)?\.\d{4,}@[a-z]+kota\.go\.id", e) for e in emails)
    assert len({e.split("@")[1] for e in emails}) == 1


def test_grades_and_names_look_indonesian(city: Rows) -> None:
    grade = re.compile(r"(I|II|III|IV)/[a-e]")
    assert all(grade.fullmatch(row["grade"]) for row in city)
    order = ["II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d"] + [
        f"IV/{g}" for g in "abcde"
    ]
    sekda = next(row for row in city if not row["supervisor_nip"])
    assert sekda["position"] == "Sekretaris Daerah" and sekda["unit_code"] == "SETDA"
    assert order.index(sekda["grade"]) >= order.index("IV/c")
    assert any("," in row["name"] for row in city), "some names carry back titles after a comma"
    assert any(row["name"].startswith("dr. ") for row in city)


def test_chat_urls_parse_with_apprise(city: Rows) -> None:
    urls = [row["chat_url"] for row in city if row["chat_url"]]
    assert 0.2 < len(urls) / len(city) < 0.4
    assert {url.split("://")[0] for url in urls} == {"mmost", "tgram"}
    mattermost = re.compile(r"mmost://chat\.[a-z]+kota\.go\.id/[a-z0-9]{26}")
    telegram = re.compile(r"tgram://\d{9,10}:[A-Za-z0-9_-]{35}/\d{9,10}")
    assert all(mattermost.fullmatch(url) or telegram.fullmatch(url) for url in urls)
    for url in urls:
        assert apprise.Apprise().add(url), url


# --- organisation ---


def test_each_unit_has_one_head_reporting_to_the_parent_units_head(big_city: Rows) -> None:
    unit_of = {row["nip"]: row["unit_code"] for row in big_city}
    heads: dict[str, list[dict[str, str]]] = {}
    for row in big_city:
        if unit_of.get(row["supervisor_nip"]) != row["unit_code"]:
            heads.setdefault(row["unit_code"], []).append(row)
    assert all(len(h) == 1 for h in heads.values()), {c: len(h) for c, h in heads.items() if len(h) != 1}
    assert set(heads) == set(unit_of.values())
    head_of = {code: h[0]["nip"] for code, h in heads.items()}
    for code, (head,) in heads.items():
        parent = head["parent_unit_code"]
        assert head["supervisor_nip"] == (head_of[parent] if parent else ""), code


def test_unit_tree_is_realistic_and_grows_with_the_city(big_city: Rows) -> None:
    parent = {row["unit_code"]: row["parent_unit_code"] for row in big_city}
    assert 200 <= len(parent) <= 450
    assert all(parent[c] == "DINKES" for c in parent if c.startswith("PKM-"))
    assert all(parent[c].startswith("KEC-") for c in parent if c.startswith("KEL-"))
    assert all(parent[c] == "SETDA" for c in parent if c.startswith("KEC-"))
    assert {"SETDA", "DINKES", "DISDIK", "BKPSDM", "DISDUKCAPIL", "DISHUB", "BAPPEDA"} <= set(parent)
    small = {row["unit_code"] for row in generate_city(50, seed=2)}
    assert 6 <= len(small) <= 10 and {"SETDA", "DINKES"} <= small


# --- files ---


def test_csv_round_trip_keeps_commas_and_quotes(city: Rows, tmp_path: Path) -> None:
    rows = copy.deepcopy(city)
    rows[1]["name"] = 'Siti Rahmawati, S.E., M.M. "Bu Siti"'
    path = tmp_path / "roster.csv"
    write_roster_csv(rows, path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == ROSTER_COLUMNS
        assert list(reader) == rows


def test_generated_roster_passes_the_importers_validation(city: Rows, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    write_roster_csv(city, path)
    valid, issues = validate_roster(read_roster_csv(path), KnownRoster(), "Asia/Jakarta")
    assert issues == []
    assert len(valid.employees) == len(city)


def test_ten_thousand_staff_generate_quickly() -> None:
    started = time.perf_counter()
    rows = generate_city(employees=10_000, seed=1)
    elapsed = time.perf_counter() - started
    assert len(rows) == 10_000 and len({row["nip"] for row in rows}) == 10_000
    assert elapsed < 3.0, f"took {elapsed:.2f}s"
