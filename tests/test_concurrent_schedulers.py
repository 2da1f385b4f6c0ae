"""Two schedulers at once: every step of a cycle (open, advance, dispatch, close) is run by two
schedulers released together, on a SQLite file and on PostgreSQL, and each transition and each
message still happens exactly once.

The schedule is `tests/schedule_scenario.py`'s (a small city's annual cycle, staff submitting
between steps). Each scheduler is a thread with its own engine and connections, running the same
step functions the Prefect flows run, so they race on the same rows; on SQLite they also race for
the one write lock, and a "database is locked" reaching a scheduler would fail the test (it must
be waited for, not surfaced). Afterwards the invariants of the crash test hold, every appraisal
closed with one stage move per stage, and the SMTP server received each message once.
"""

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.cycle_builders import run_together
from tests.fault_sinks import FaultySmtpSink, skip_ca_store
from tests.schedule_scenario import (
    SCHEDULE,
    STAGES_AFTER_CLOSE,
    Scenario,
    Step,
    check_invariants,
    record_artifact,
    seed,
)


def both_run(scenario: Scenario, step: Step) -> list[dict[str, Any]]:
    """`step` run by two schedulers released at the same instant; their summaries."""

    def scheduler(_engine: Engine) -> dict[str, Any]:
        return scenario.run(step)

    return run_together(scenario.url, scheduler, scheduler)


def moved(summaries: list[dict[str, Any]]) -> Counter[str]:
    """Stage moves the two advance summaries report together."""
    total: Counter[str] = Counter()
    for summary in summaries:
        for period in summary["periods"]:
            total.update(period["moved"])
    return total


def test_two_schedulers_move_each_appraisal_and_send_each_message_once(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skip_ca_store(monkeypatch, tmp_path)
    started = time.perf_counter()
    sink = FaultySmtpSink().start()
    try:
        scenario = seed(database_url, sink.url, tmp_path)
        moves: Counter[str] = Counter()
        closed, sent = 0, 0
        for step in SCHEDULE:
            scenario.submit_before(step)
            summaries = both_run(scenario, step)
            if step.action == "advance":
                moves += moved(summaries)
            elif step.action == "close":
                # The later scheduler finds the period closed already and reports closed_now false.
                closed += sum(run["closed_now"] for summary in summaries for run in summary["closed"])
            elif step.action == "dispatch":
                sent += sum(summary["sent"] for summary in summaries)
            elif step.action == "open":
                assert sorted(summary["created"] for summary in summaries) == [False, True]
        facts = check_invariants(database_url)
    finally:
        sink.stop()
    received = Counter(sink.received())
    engine = database_url.split(":", 1)[0].split("+", 1)[0]
    line = (
        f"concurrent-schedulers {engine}: {len(SCHEDULE)} steps each run by 2 schedulers at once; "
        f"{sum(moves.values())} stage moves, {closed} close, {sent} messages sent, "
        f"{len(sink.inbox)} received; {time.perf_counter() - started:.1f} s"
    )
    record_artifact("concurrent-schedulers", line)

    appraisals = len(facts.stages)
    assert set(facts.stages.values()) == STAGES_AFTER_CLOSE, line
    assert moves == {
        "self_assessment→supervisor_review": appraisals,
        "supervisor_review→peer_review": appraisals,
        "peer_review→calibration": appraisals,
    }, line
    assert closed == facts.closes == 1, line
    assert sent == facts.sent == len(sink.inbox) == sum(received.values()), line
    assert [message for message, count in received.items() if count > 1] == [], line
