"""`appraisal web --workers 2`: several server processes, each building the app from the
environment, answer review forms on one database; a submission through them is stored once."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, func, select

from models import AuditEvent, Review, ReviewScore
from models.db import read_session
from tests.builders import SITI
from tests.cycle_builders import open_cycle, seeded_engine
from tests.web_builders import csrf_of, review_path

OPENED = datetime(2027, 1, 4, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
NOW = OPENED + timedelta(days=1)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """The small roster with the annual period opened on OPENED."""
    with seeded_engine(database_url, tmp_path) as seeded:
        open_cycle(seeded, OPENED)
        yield seeded


@pytest.fixture
def server(engine: Engine) -> Iterator[str]:
    """`appraisal web --workers 2` on a free loopback port, clock held at NOW; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "APPRAISAL_NOW": NOW.isoformat(), "APPRAISAL_DEMO": "true"}
    command = [sys.executable, "-c", "from cli.main import run; run()", "web", "--port", str(port), "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while process.poll() is None and time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/review/not-a-token", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert process.poll() is None, f"appraisal web exited with {process.returncode}"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_two_worker_processes_serve_a_form_and_store_its_answer_once(engine: Engine, server: str) -> None:
    path = review_path(engine, SITI, SITI, "self")
    with httpx.Client(base_url=server, timeout=30) as browser:
        page = browser.get(path)
        assert page.status_code == 200
        codes = sorted(set(re.findall(r'name="score_([^"]+)"', page.text)))
        form = {
            "csrf_token": csrf_of(page.text),
            **{f"score_{code}": "4" for code in codes},
            "comment": "Dua proses.",
        }
        sent = browser.post(path, data=form)
    assert (sent.status_code, sent.headers["location"]) == (303, f"{path}?saved=submitted")
    with read_session(engine) as session:
        review_id = session.execute(select(Review.id).where(Review.status == "submitted")).scalar_one()
        scores = session.execute(select(func.count()).where(ReviewScore.review_id == review_id)).scalar_one()
        audits = session.execute(
            select(AuditEvent.action).where(AuditEvent.entity == "review", AuditEvent.entity_id == str(review_id))
        ).scalars().all()  # fmt: skip
    assert (scores, audits) == (len(codes), ["review.submitted"])
