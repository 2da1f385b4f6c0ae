"""Settings and the cycle YAML: the shipped file, every validation rule, and the environment.

Validation rules are tested by mutating the shipped file (loaded as a dict, changed in one place,
written to a temporary file), so each case reads as "this edit gives that message".
"""

import copy
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from config.cycles import PREDIKAT, CyclesConfig, load_cycles
from config.errors import ConfigError
from config.settings import DEFAULT_CYCLES_PATH, DEFAULT_SECRET_KEY, Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "config" / "cycles.yaml"
DEFAULT_CODES = [
    "kuantitas", "kualitas", "waktu",
    "berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif",
]  # fmt: skip

Mutation = Callable[[dict[str, Any]], None]


# --- builders ---------------------------------------------------------------------------------


def shipped_document() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def write_yaml(directory: Path, document: Any, name: str = "cycles.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _parent(document: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    return node


def set_at(*path: Any, value: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        _parent(document, path)[path[-1]] = value

    return mutate


def delete_at(*path: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        del _parent(document, path)[path[-1]]

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(document)

    return mutate


def duplicate_default_indicator(document: dict[str, Any]) -> None:
    indicators = document["indicator_sets"]["default"]["indicators"]
    indicators.append(dict(indicators[1]))


def only_behaviour_indicators(document: dict[str, Any]) -> None:
    default = document["indicator_sets"]["default"]
    default["indicators"] = [item for item in default["indicators"] if item["aspect"] == "behaviour"]


def add_second_addition_for_bappeda(document: dict[str, Any]) -> None:
    additions = document["indicator_sets"]["default"]["unit_additions"]
    additions.append({"units": ["BAPPEDA"], "indicators": [dict(additions[1]["indicators"][0])]})


def load_error(tmp_path: Path, mutation: Mutation) -> tuple[Path, str]:
    document = shipped_document()
    mutation(document)
    path = write_yaml(tmp_path, document)
    with pytest.raises(ConfigError) as caught:
        load_cycles(path)
    return path, str(caught.value)


# --- the shipped file -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> CyclesConfig:
    return load_cycles(SHIPPED)


def test_shipped_file_defines_the_three_cycles(shipped: CyclesConfig) -> None:
    assert list(shipped.cycles) == ["annual", "quarterly", "monthly"]
    assert shipped.cycle("annual").open_cron == "0 7 2 1 *"
    assert shipped.cycle("quarterly").open_cron == "0 7 1 1,4,7,10 *"
    assert shipped.cycle("monthly").open_cron == "0 7 1 * *"


def test_shipped_default_indicators_are_the_ten_of_the_rule(shipped: CyclesConfig) -> None:
    indicators = shipped.indicator_set("default").indicators
    assert [indicator.code for indicator in indicators] == DEFAULT_CODES
    assert [indicator.aspect for indicator in indicators] == ["result"] * 3 + ["behaviour"] * 7
    assert shipped.indicator_set("default").scale.labels[3] == "Sesuai Ekspektasi"


def test_unit_additions_follow_the_defaults(shipped: CyclesConfig) -> None:
    assert [i.code for i in shipped.indicators_for("default", "DISDUKCAPIL")] == [
        *DEFAULT_CODES,
        "kepuasan_masyarakat",
    ]
    assert [i.code for i in shipped.indicators_for("default", "BAPPEDA")] == [*DEFAULT_CODES, "inovasi"]
    assert [i.code for i in shipped.indicators_for("default", "SETDA")] == DEFAULT_CODES


def test_every_indicator_has_training(shipped: CyclesConfig) -> None:
    assert shipped.known_indicator_codes() <= set(shipped.training_catalog)
    assert all(programme.hours >= 1 for code in DEFAULT_CODES for programme in shipped.training_for(code))
    assert shipped.training_for("no_such_code") == []


def test_shipped_cycle_details(shipped: CyclesConfig) -> None:
    annual, monthly = shipped.cycle("annual"), shipped.cycle("monthly")
    assert annual.review_stages() == [("self_assessment", 10), ("supervisor_review", 10), ("peer_review", 10)]
    assert shipped.cycle("quarterly").review_stages() == [
        ("self_assessment", 5), ("supervisor_review", 5), ("peer_review", 5),
    ]  # fmt: skip
    assert monthly.peers.count == 0
    assert monthly.review_stages() == [("self_assessment", 3), ("supervisor_review", 3)]
    assert annual.scoring.behaviour_weights.model_dump() == {"supervisor": 0.6, "peer": 0.4, "self": 0.0}
    assert annual.reminders.before_due_working_days == [3, 1]
    assert annual.recommendations.promotion.qualifies("Sangat Baik")
    assert not annual.recommendations.promotion.qualifies("Butuh Perbaikan")
    assert list(annual.calibration.curve) == list(PREDIKAT)
    # A cycle without its own time zone gets the organisation's.
    assert shipped.cycle("quarterly").timezone == "Asia/Jakarta"
    assert shipped.cycle("quarterly").zone == ZoneInfo("Asia/Jakarta")


def test_thresholds_are_half_open(shipped: CyclesConfig) -> None:
    thresholds = shipped.cycle("annual").scoring.thresholds
    assert [thresholds.rating(mean) for mean in (2.49, 2.5, 3.49, 3.5, 5)] == [
        "below", "meets", "meets", "above", "above",
    ]  # fmt: skip


def test_unknown_cycle_lists_the_defined_ones(shipped: CyclesConfig) -> None:
    with pytest.raises(ConfigError, match=r"unknown cycle 'anual'.*annual, quarterly, monthly"):
        shipped.cycle("anual")
    with pytest.raises(ConfigError, match="unknown indicator set 'nope'"):
        shipped.indicators_for("nope", "BAPPEDA")


def test_snapshot_round_trips(shipped: CyclesConfig) -> None:
    """A period stores the cycle as JSON; reading it back gives the same definition."""
    annual = shipped.cycle("annual")
    assert type(annual).model_validate(annual.model_dump(mode="json")) == annual


# --- validation rules -------------------------------------------------------------------------

ANNUAL = ("cycles", "annual")
DEFAULT_SET = ("indicator_sets", "default")

RULES: list[Any] = [
    pytest.param(set_at(*ANNUAL, "stages", "self_assessment", value=0), "cycles.annual.stages.self_assessment",
                 "must be a whole number of working days ≥ 1 (got 0)", id="stage-zero"),
    pytest.param(set_at(*ANNUAL, "stages", "supervisor_review", value=2.5), "cycles.annual.stages.supervisor_review",
                 "whole number of working days", id="stage-fraction"),
    pytest.param(delete_at(*ANNUAL, "stages", "peer_review"), "cycles.annual.stages.peer_review",
                 "required because peers.count is 3", id="peer-stage-missing"),
    pytest.param(set_at("cycles", "monthly", "stages", "peer_review", value=3), "cycles.monthly.stages.peer_review",
                 "peers.count is 0", id="peer-stage-without-peers"),
    pytest.param(set_at(*ANNUAL, "open_cron", value="0 7 31 2 *"), "cycles.annual.open_cron",
                 "not a valid cron expression", id="cron-impossible"),
    pytest.param(set_at(*ANNUAL, "open_cron", value="every day"), "cycles.annual.open_cron",
                 "not a valid cron expression", id="cron-garbage"),
    pytest.param(set_at(*ANNUAL, "timezone", value="Mars/Base"), "cycles.annual.timezone",
                 "unknown time zone 'Mars/Base'", id="cycle-timezone"),
    pytest.param(set_at("organisation", "timezone", value="Asia/Jakata"), "organisation.timezone",
                 "did you mean 'Asia/Jakarta'", id="organisation-timezone"),
    pytest.param(set_at("organisation", "holidays_country", value="XX"), "organisation.holidays_country",
                 "unknown country 'XX'", id="holiday-country"),
    pytest.param(set_at("organisation", "office_hours", value={"start": "16:00", "end": "08:00"}),
                 "organisation.office_hours.end", "must be later than start (16:00)", id="office-hours-order"),
    pytest.param(set_at("organisation", "office_hours", "start", value="8 am"), "organisation.office_hours.start",
                 'must be a time of day "HH:MM"', id="office-hours-format"),
    pytest.param(set_at("organisation", "office_hours", "end", value=960), "organisation.office_hours.end",
                 "write the time in quotes", id="office-hours-unquoted"),
    pytest.param(set_at(*ANNUAL, "peers", "count", value=11), "cycles.annual.peers.count",
                 "from 0 to 10 (got 11)", id="peer-count-high"),
    pytest.param(set_at(*ANNUAL, "peers", "count", value=-1), "cycles.annual.peers.count",
                 "from 0 to 10 (got -1)", id="peer-count-negative"),
    pytest.param(set_at(*ANNUAL, "scoring", "thresholds", value={"below": 3.5, "above": 2.5}),
                 "cycles.annual.scoring.thresholds.above", "must be greater than below (3.5)", id="thresholds-order"),
    pytest.param(set_at(*ANNUAL, "scoring", "thresholds", "below", value=0.5),
                 "cycles.annual.scoring.thresholds.below", "must lie on the scale", id="threshold-below-scale"),
    pytest.param(set_at(*ANNUAL, "scoring", "thresholds", "above", value=6),
                 "cycles.annual.scoring.thresholds.above", "(1–5)", id="threshold-above-scale"),
    pytest.param(set_at(*ANNUAL, "scoring", "behaviour_weights", "peer", value=0.3),
                 "cycles.annual.scoring.behaviour_weights", "weights must sum to 1 (got 0.9", id="behaviour-sum"),
    pytest.param(set_at(*ANNUAL, "scoring", "behaviour_weights", value={"supervisor": 1.2, "peer": -0.2, "self": 0}),
                 "cycles.annual.scoring.behaviour_weights.peer", "must be a weight ≥ 0", id="weight-negative"),
    pytest.param(set_at(*ANNUAL, "scoring", "result_weights", "self", value=0.5),
                 "cycles.annual.scoring.result_weights", "must sum to 1 (got 1.5", id="result-sum"),
    pytest.param(set_at(*ANNUAL, "scoring", "pp46", "skp_weight", value=0.5),
                 "cycles.annual.scoring.pp46", "skp_weight + behaviour_weight must sum to 1", id="pp46-sum"),
    pytest.param(set_at("cycles", "monthly", "scoring", "behaviour_weights", value={"supervisor": 0.6, "peer": 0.4}),
                 "cycles.monthly.scoring.behaviour_weights.peer", "must be 0 when peers.count is 0", id="peer-weight"),
    pytest.param(set_at(*ANNUAL, "scoring", "scheme", value="pp46"), "cycles.annual.scoring.scheme",
                 "'permenpanrb-6-2022' or 'pp46-2011'", id="scheme"),
    pytest.param(duplicate_default_indicator, "indicator_sets.default.indicators[10].code",
                 "duplicate indicator code 'kualitas' (also at indicators[1])", id="code-duplicate"),
    pytest.param(set_at(*DEFAULT_SET, "indicators", 0, "code", value="Kuantitas"),
                 "indicator_sets.default.indicators[0].code", "lower-case letters", id="code-pattern"),
    pytest.param(set_at(*DEFAULT_SET, "indicators", 0, "aspect", value="results"),
                 "indicator_sets.default.indicators[0].aspect", "'result' or 'behaviour'", id="aspect"),
    pytest.param(set_at(*DEFAULT_SET, "indicators", 0, "weight", value=0),
                 "indicator_sets.default.indicators[0].weight", "must be a weight > 0 (got 0)", id="weight-zero"),
    pytest.param(only_behaviour_indicators, "indicator_sets.default.indicators",
                 "needs at least one 'result' indicator", id="no-result-indicator"),
    pytest.param(set_at(*DEFAULT_SET, "unit_additions", 1, "indicators", 0, "code", value="kualitas"),
                 "indicator_sets.default.unit_additions[1].indicators[0].code",
                 "'kualitas' is already a default indicator", id="addition-clashes-default"),
    pytest.param(add_second_addition_for_bappeda, "indicator_sets.default.unit_additions[2].indicators[0].code",
                 "'inovasi' is added twice for unit 'BAPPEDA'", id="addition-twice-for-unit"),
    pytest.param(set_at(*DEFAULT_SET, "unit_additions", 0, "units", value=["DISDUK CAPIL"]),
                 "indicator_sets.default.unit_additions[0].units[0]", "unit code", id="unit-code"),
    pytest.param(set_at(*DEFAULT_SET, "scale", "labels", 7, value="Luar Biasa"),
                 "indicator_sets.default.scale.labels.7", "outside the scale 1–5", id="scale-label"),
    pytest.param(set_at(*DEFAULT_SET, "scale", "max", value=1), "indicator_sets.default.scale.max",
                 "must be greater than min (1)", id="scale-range"),
    pytest.param(set_at(*ANNUAL, "indicator_set", value="defualt"), "cycles.annual.indicator_set",
                 "unknown indicator set 'defualt'; did you mean 'default'?", id="indicator-set-unknown"),
    pytest.param(set_at("training_catalog", "kepuasan", value=[{"code": "PLT-099", "name": "X", "hours": 8}]),
                 "training_catalog.kepuasan", "unknown indicator code 'kepuasan'", id="training-unknown-code"),
    pytest.param(set_at("training_catalog", "waktu", value=[]), "training_catalog.waktu",
                 "at least one", id="training-empty"),
    pytest.param(set_at("training_catalog", "waktu", 0, "hours", value=0), "training_catalog.waktu[0].hours",
                 "whole number of hours", id="training-hours"),
    pytest.param(set_at(*ANNUAL, "calibration", "curve", "Sangat baik", value={"max": 0.2}),
                 'cycles.annual.calibration.curve."Sangat baik"', "did you mean 'Sangat Baik'?", id="curve-predikat"),
    pytest.param(set_at(*ANNUAL, "calibration", "curve", "Baik", value={"min": 1.5}),
                 'cycles.annual.calibration.curve.Baik.min', "a fraction from 0 to 1", id="curve-fraction"),
    pytest.param(set_at(*ANNUAL, "calibration", "curve", "Baik", value={"min": 0.6, "max": 0.4}),
                 "cycles.annual.calibration.curve.Baik.max", "must not be less than min", id="curve-band"),
    pytest.param(set_at(*ANNUAL, "recommendations", "promotion", "min_predikat", value="Kurang"),
                 "cycles.annual.recommendations.promotion.min_predikat", "did you mean 'Kurang/Misconduct'?",
                 id="promotion-predikat"),
    pytest.param(set_at(*ANNUAL, "recommendations", "improvement_plan", "predikat", 1, value="Kurang"),
                 "cycles.annual.recommendations.improvement_plan.predikat[1]", "unknown predikat 'Kurang'",
                 id="improvement-predikat"),
    pytest.param(set_at(*ANNUAL, "recommendations", "reward", "predikat", value=["Sangat Baik", "Sangat Baik"]),
                 "cycles.annual.recommendations.reward.predikat", "predikat listed twice", id="reward-twice"),
    pytest.param(set_at(*ANNUAL, "cadence", value="yearly"), "cycles.annual.cadence",
                 "'annual', 'quarterly', 'monthly' or 'custom' (got 'yearly')", id="cadence"),
    pytest.param(set_at(*ANNUAL, "cadence", value="custom"), "cycles.annual.custom_period_days",
                 "required for cadence custom", id="custom-needs-days"),
    pytest.param(both(set_at(*ANNUAL, "cadence", value="custom"), set_at(*ANNUAL, "custom_period_days", value=0)),
                 "cycles.annual.custom_period_days", "whole number of days", id="custom-days-zero"),
    pytest.param(set_at("cycles", "monthly", "custom_period_days", value=30), "cycles.monthly.custom_period_days",
                 "only allowed with cadence custom", id="days-without-custom"),
    pytest.param(set_at(*ANNUAL, "fallback_reviewer", value="boss"), "cycles.annual.fallback_reviewer",
                 "'parent_head' or 'hr'", id="fallback"),
    pytest.param(set_at(*ANNUAL, "reminders", "before_due_working_days", value=[1, 1]),
                 "cycles.annual.reminders.before_due_working_days", "each day may be listed once", id="reminder-days"),
    pytest.param(set_at(*ANNUAL, "stagess", value={}), "cycles.annual.stagess", "unknown key", id="typo-key"),
    pytest.param(delete_at(*ANNUAL, "label"), "cycles.annual.label", "required, but missing", id="missing-key"),
    pytest.param(set_at("cycles", value={}), "cycles", "define at least one cycle", id="no-cycles"),
    pytest.param(set_at("cycles", "Annual", value={}), "cycles.Annual", "lower-case letters", id="cycle-name"),
]  # fmt: skip


@pytest.mark.parametrize(("mutation", "dotted_path", "reason"), RULES)
def test_each_rule_names_file_path_and_reason(
    tmp_path: Path, mutation: Mutation, dotted_path: str, reason: str
) -> None:
    path, message = load_error(tmp_path, mutation)
    matching = [line for line in message.splitlines() if line.startswith(f"{path}: {dotted_path}: ")]
    assert matching, message
    assert any(reason in line for line in matching), message


def test_all_problems_are_listed_one_per_line(tmp_path: Path) -> None:
    _, message = load_error(
        tmp_path,
        both(
            set_at(*ANNUAL, "stages", "self_assessment", value=0),
            set_at("cycles", "quarterly", "open_cron", value="nope"),
            set_at("organisation", "timezone", value="Mars/Base"),
        ),
    )
    lines = message.splitlines()
    assert "3 problems" in lines[0]
    assert [line.split(": ")[1] for line in lines[1:]] == [
        "organisation.timezone", "cycles.annual.stages.self_assessment", "cycles.quarterly.open_cron",
    ]  # fmt: skip


def test_problems_name_the_line_in_the_file(tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8").replace("self_assessment: 10", "self_assessment: 0", 1)
    path = tmp_path / "cycles.yaml"
    path.write_text(text, encoding="utf-8")
    line = 1 + text.splitlines().index("      self_assessment: 0")
    with pytest.raises(ConfigError, match=rf"stages\.self_assessment: .* \(line {line}\)"):
        load_cycles(path)


# --- reading the file -------------------------------------------------------------------------


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("organisation:\n  name: Kota\ncycles: [annual\n  quarterly: {\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}: line \d+, column \d+: invalid YAML"):
        load_cycles(path)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("organisation:\n  name: A\n  name: B\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"line 3, column 3: .*duplicate key 'name' \(first defined on line 2\)"
    ):
        load_cycles(path)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ConfigError, match=f"{path}: file not found"):
        load_cycles(path)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_cycles(path)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, ["annual", "monthly"])
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_cycles(path)


def test_custom_cadence_with_days_is_accepted(tmp_path: Path) -> None:
    document = shipped_document()
    document["cycles"]["semester"] = {
        **copy.deepcopy(document["cycles"]["quarterly"]),
        "label": "Penilaian Kinerja Semesteran",
        "cadence": "custom",
        "custom_period_days": 182,
        "open_cron": "0 7 2 1,7 *",
        "timezone": "Asia/Makassar",
    }
    config = load_cycles(write_yaml(tmp_path, document))
    assert config.cycle("semester").custom_period_days == 182
    assert config.cycle("semester").timezone == "Asia/Makassar"


# --- settings ---------------------------------------------------------------------------------


def test_default_secret_is_refused_outside_a_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRAISAL_SECRET_KEY")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "APPRAISAL_SECRET_KEY" in message
    assert "secrets.token_urlsafe(32)" in message
    assert "APPRAISAL_DEMO=true" in message


def test_default_secret_is_accepted_in_a_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APPRAISAL_SECRET_KEY")
    monkeypatch.setenv("APPRAISAL_DEMO", "true")
    settings = load_settings()
    assert settings.demo is True
    assert settings.secret_key.get_secret_value() == DEFAULT_SECRET_KEY
    assert load_settings(demo=False, secret_key="x" * 16).demo is False


def test_short_secret_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISAL_SECRET_KEY", "hunter2")
    with pytest.raises(ConfigError, match=r"APPRAISAL_SECRET_KEY: too short \(7 characters") as caught:
        load_settings()
    assert "hunter2" not in str(caught.value)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///appraisal.db"
    assert settings.timezone == "Asia/Jakarta"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.now is None and settings.smtp_url is None and settings.hr_notify_url is None
    assert settings.cycles_path() == DEFAULT_CYCLES_PATH == SHIPPED
    assert list(settings.load_cycles().cycles) == ["annual", "quarterly", "monthly"]


def test_appraisal_config_is_honoured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    document = shipped_document()
    document["cycles"] = {"monthly": document["cycles"]["monthly"]}
    path = write_yaml(tmp_path, document, name="own-cycles.yaml")
    monkeypatch.setenv("APPRAISAL_CONFIG", str(path))
    settings = load_settings()
    assert settings.cycles_path() == path
    assert list(settings.load_cycles().cycles) == ["monthly"]


def test_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("APPRAISAL_SECRET_KEY")
    (tmp_path / ".env").write_text(
        "APPRAISAL_SECRET_KEY=from-dotenv-0123456789\n"
        "APPRAISAL_DATABASE_URL=sqlite:///from-dotenv.db\n"
        "APPRAISAL_HR_EMAIL=bkpsdm@contoh.go.id\n"
        "APPRAISAL_SMTP_URL=mailto://hr:pw@smtp.contoh.go.id\n"
        "UNRELATED=ignored\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.secret_key.get_secret_value() == "from-dotenv-0123456789"
    assert settings.database_url == "sqlite:///from-dotenv.db"
    assert settings.hr_email == "bkpsdm@contoh.go.id"
    assert settings.smtp_url is not None and "pw" not in repr(settings.smtp_url)
    monkeypatch.setenv("APPRAISAL_DATABASE_URL", "sqlite:///from-env.db")  # the environment wins
    assert load_settings().database_url == "sqlite:///from-env.db"


def test_naive_now_is_in_the_configured_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISAL_NOW", "2027-01-04T09:30:00")
    assert load_settings().now == datetime(2027, 1, 4, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    monkeypatch.setenv("APPRAISAL_TIMEZONE", "Asia/Jayapura")
    now = load_settings().now
    assert now == datetime(2027, 1, 4, 0, 30, tzinfo=UTC)
    assert now is not None and now.utcoffset() == timedelta(hours=9)


def test_aware_now_keeps_its_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISAL_NOW", "2027-01-04T02:00:00Z")
    settings = load_settings()
    assert settings.now == datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    assert settings.now is not None and settings.now.hour == 9  # shown in Asia/Jakarta
    assert settings.current_time() == settings.now


def test_now_override_and_empty_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISAL_NOW", "2027-01-04T08:00:00")
    assert load_settings(now=None).now == datetime(2027, 1, 4, 8, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert load_settings(now="2027-02-01").now == datetime(2027, 2, 1, tzinfo=ZoneInfo("Asia/Jakarta"))
    with pytest.raises(ConfigError, match="^--now: "):
        load_settings(now="tomorrow")
    monkeypatch.setenv("APPRAISAL_NOW", "")
    settings = load_settings()
    assert settings.now is None
    assert settings.current_time().tzinfo is not None


def test_bad_now_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISAL_NOW", "next monday")
    with pytest.raises(ConfigError, match="^APPRAISAL_NOW: .*'next monday'"):
        load_settings()


def test_bad_timezone_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISAL_TIMEZONE", "Mars/Base")
    with pytest.raises(ConfigError, match=r"APPRAISAL_TIMEZONE: unknown time zone 'Mars/Base'"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("APPRAISAL_DEMO", "maybe", "valid boolean"),
        ("APPRAISAL_BASE_URL", "appraisal.example.go.id", "must start with http:// or https://"),
        ("APPRAISAL_HR_NOTIFY_URL", "not a url", "Apprise URL"),
        ("APPRAISAL_HR_EMAIL", "bkpsdm", "email address"),
    ],
)
def test_other_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"^{variable}: .*{reason}"):
        load_settings()


def test_settings_are_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRAISAL_BASE_URL", "https://kinerja.contoh.go.id/")
    assert load_settings().base_url == "https://kinerja.contoh.go.id"
    monkeypatch.setenv("APPRAISAL_BASE_URL", "https://other.contoh.go.id")
    assert load_settings().base_url == "https://other.contoh.go.id"
    assert isinstance(load_settings(), Settings)


def test_config_imports_stay_light() -> None:
    """The CLI imports config on every command; Prefect and SQLAlchemy must not come with it."""
    code = (
        "import sys, config.settings, config.cycles\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('prefect', 'sqlalchemy', 'sqlmodel'))\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == ""
