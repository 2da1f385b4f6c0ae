"""Benchmark: review forms under load — 50 browsers submitting self-assessments through the real server.

Run: `python bench/web_submit.py [--employees N] [--clients C] [--submissions S] [--warmup W]`.
Setup (not measured) builds a fresh SQLite file (WAL) in a temporary folder — or, when
`APPRAISAL_DATABASE_URL` (or `--database-url`) names a PostgreSQL server, a schema of its own
there, dropped afterwards — imports a synthetic city and opens the annual period, so every
self-assessment is open. The web app is then served as `appraisal web` serves it (one uvicorn
process, started here as a subprocess on a free loopback port) with its clock held at a moment
inside the self-assessment window. C concurrent clients (asyncio + httpx, one AsyncClient per
browser with its own cookie jar) each take distinct open reviews from a shared queue and, per
review, GET the form (for the CSRF token and the indicator fields), then POST the answers; a
submission must answer 303 to `?saved=submitted`. W warm-up submissions run first at the same
concurrency and are not measured; then S measured ones. The latency of the POST (the
submission) and of the GET are reported separately, as seen by the client (so they include the
client's own scheduling on a shared machine). Afterwards the database is checked: exactly the
reviews whose POST succeeded are submitted, each with the scores sent and one audit event —
no lost or duplicated writes. Exits 1 on any request error or verification mismatch; a missed
latency goal only prints FAIL.
"""

import argparse
import asyncio
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import httpx  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from config.cycles import load_cycles  # noqa: E402
from config.settings import DEFAULT_CYCLES_PATH  # noqa: E402
from cycle.opening import open_period  # noqa: E402
from demo.city import generate_city, write_roster_csv  # noqa: E402
from models import AuditEvent, Review, ReviewScore  # noqa: E402
from models.db import create_db_engine, normalise_database_url, read_session, write_session  # noqa: E402
from models.schema import upgrade_schema  # noqa: E402
from roster.load import import_roster  # noqa: E402
from web.links import review_token  # noqa: E402

ZONE = ZoneInfo("Asia/Jakarta")
OPENED = datetime(2027, 1, 4, 9, 0, tzinfo=ZONE)  # the annual period opens (first working Monday)
APP_NOW = datetime(2027, 1, 5, 10, 0, tzinfo=ZONE)  # the server's clock: self-assessments open, before due
SECRET = "bench-web-secret-key-0123456789abcdef"
GOAL_P95_MS = 50.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SCORE = re.compile(r'name="score_([^"]+)" value="(-?\d+)"')


# --- the server (a subprocess running this file with --serve) --------------------------------


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def serve(port: int) -> None:
    """Serve the app like `appraisal web` does, with the clock held at APP_NOW; settings from env."""
    import uvicorn

    from config.settings import load_settings
    from web.app import create_app

    settings = load_settings(demo=True, secret_key=SECRET)
    app = create_app(settings, clock=FixedClock(APP_NOW))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "APPRAISAL_DATABASE_URL": url,
        "APPRAISAL_DEMO": "true",
        "APPRAISAL_SECRET_KEY": SECRET,
    }
    process = subprocess.Popen([sys.executable, __file__, "--serve", "--port", str(port)], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before answering")
        try:
            httpx.get(f"http://127.0.0.1:{port}/review/not-a-token", timeout=1)  # 404 page: it answers
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not answer within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # uvicorn shuts down gracefully on SIGTERM
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# --- the database ----------------------------------------------------------------------------


def postgres_schema(server_url: str) -> tuple[str, str]:
    """A fresh schema on the server (as tests/conftest.py does): (its name, a URL that uses it)."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def drop_schema(server_url: str, schema: str) -> None:
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def build(url: str, folder: Path, employees: int) -> list[int]:
    """Migrate, import the city, open the annual period; the ids of the open self reviews."""
    engine = create_db_engine(url)
    upgrade_schema(engine)
    write_roster_csv(generate_city(employees=employees, seed=1), folder / "roster.csv")
    import_roster(engine, folder / "roster.csv", default_timezone="Asia/Jakarta")
    with write_session(engine) as session:
        open_period(session, load_cycles(DEFAULT_CYCLES_PATH), "annual", OPENED)
    with read_session(engine) as session:
        rows = session.execute(
            select(Review.id, Review.due_at).where(Review.kind == "self", Review.status == "open").order_by(Review.id)
        ).all()  # fmt: skip
    engine.dispose()
    earliest = min(due for _, due in rows if due is not None)
    if not OPENED < APP_NOW < earliest:
        raise SystemExit(f"the server's clock {APP_NOW} is not inside the window (first deadline {earliest})")
    return [review_id for review_id, _ in rows]


@dataclass
class Verification:
    submitted: int
    scores: int
    audits: int
    problems: list[str]


def verify(url: str, sent: dict[int, int]) -> Verification:
    """Compare the database with the successful submissions (review id → number of scores sent)."""
    engine = create_db_engine(url)
    with read_session(engine) as session:
        submitted = set(session.execute(select(Review.id).where(Review.status == "submitted")).scalars())
        per_review = dict(
            session.execute(select(ReviewScore.review_id, func.count()).group_by(ReviewScore.review_id)).all()
        )
        audits = Counter(
            session.execute(select(AuditEvent.entity_id).where(AuditEvent.action.like("review.%"))).scalars()
        )
    engine.dispose()
    problems = []
    if lost := set(sent) - submitted:
        problems.append(f"{len(lost)} successful submissions are not stored as submitted (e.g. {min(lost)})")
    if extra := submitted - set(sent):
        problems.append(f"{len(extra)} reviews are submitted without a successful POST (e.g. {min(extra)})")
    if wrong := [r for r, n in sent.items() if per_review.get(r, 0) != n]:
        problems.append(
            f"{len(wrong)} submitted reviews do not hold exactly the scores sent (e.g. {wrong[0]})"
        )
    if stray := set(per_review) - set(sent):
        problems.append(f"{len(stray)} reviews hold scores without a successful POST")
    if twice := [r for r in sent if audits.get(str(r), 0) != 1]:
        problems.append(
            f"{len(twice)} submitted reviews do not have exactly one audit event (e.g. {twice[0]})"
        )
    if sum(audits.values()) != len(sent):
        problems.append(f"{sum(audits.values())} review audit events for {len(sent)} successful submissions")
    return Verification(len(submitted), sum(per_review.values()), sum(audits.values()), problems)


# --- the browsers ----------------------------------------------------------------------------


@dataclass
class Tally:
    get_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    sent: dict[int, int] = field(default_factory=dict)  # review id → scores sent, successful POSTs only


async def submit_one(client: httpx.AsyncClient, review_id: int, tally: Tally, rng: random.Random) -> None:
    path = f"/review/{review_token(SECRET, review_id)}"
    started = time.perf_counter()
    try:
        page = await client.get(path)
    except httpx.HTTPError as exc:
        tally.errors[f"GET {type(exc).__name__}"] += 1
        return
    tally.get_ms.append((time.perf_counter() - started) * 1000)
    token = _CSRF.search(page.text)
    if page.status_code != 200 or token is None:
        tally.errors[f"GET {page.status_code}"] += 1
        return
    scale: dict[str, list[int]] = {}
    for code, value in _SCORE.findall(page.text):
        scale.setdefault(code, []).append(int(value))
    answers = {f"score_{code}": str(rng.choice(values)) for code, values in scale.items()}
    form = {"csrf_token": token.group(1), **answers, "comment": f"Penilaian mandiri {review_id}."}
    started = time.perf_counter()
    try:
        response = await client.post(path, data=form)
    except httpx.HTTPError as exc:
        tally.errors[f"POST {type(exc).__name__}"] += 1
        return
    tally.post_ms.append((time.perf_counter() - started) * 1000)
    if response.status_code != 303:
        tally.errors[f"POST {response.status_code}"] += 1
    elif not response.headers.get("location", "").endswith("?saved=submitted"):
        tally.errors[f"POST 303 to {response.headers.get('location', '')!r}"] += 1
    else:
        tally.sent[review_id] = len(scale)


async def browser(client: httpx.AsyncClient, queue: asyncio.Queue[int], tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    while True:
        try:
            review_id = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        await submit_one(client, review_id, tally, rng)


async def run_phase(clients: list[httpx.AsyncClient], reviews: list[int], tally: Tally) -> float:
    """Submit every review in `reviews` with all clients at once; the wall-clock seconds it took."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for review_id in reviews:
        queue.put_nowait(review_id)
    started = time.perf_counter()
    await asyncio.gather(*(browser(c, queue, tally, n) for n, c in enumerate(clients)))
    return time.perf_counter() - started


@dataclass
class Run:
    warm: Tally
    tally: Tally
    elapsed: float  # seconds of the measured phase
    server_cpu: float | None  # CPU seconds of the server process during the measured phase
    client_cpu: float  # CPU seconds of this (client) process during the measured phase


async def drive(port: int, pid: int, count: int, warmup: list[int], measured: list[int]) -> Run:
    base = f"http://127.0.0.1:{port}"
    clients = [
        httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1)) for _ in range(count)
    ]  # fmt: skip
    try:
        warm, tally = Tally(), Tally()
        await run_phase(clients, warmup, warm)
        server_before, client_before = cpu_seconds(pid), time.process_time()
        elapsed = await run_phase(clients, measured, tally)
        server_after, client_after = cpu_seconds(pid), time.process_time()
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return Run(warm, tally, elapsed, server_cpu, client_after - client_before)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def latency_line(label: str, values: list[float]) -> str:
    p50, p95, p99 = (percentile(values, s) for s in (0.50, 0.95, 0.99))
    top = max(values, default=0.0)
    return f"{label} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   p99 {p99:7.1f} ms   max {top:7.1f} ms   (n={len(values)})"


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--employees", type=int, default=2_500, help="staff in the city (one self review each)"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent browsers")
    parser.add_argument("--submissions", type=int, default=2_000, help="measured submissions in all")
    parser.add_argument("--warmup", type=int, default=200, help="submissions before measuring")
    parser.add_argument(
        "--database-url", default=os.environ.get("APPRAISAL_DATABASE_URL"),
        help="default: APPRAISAL_DATABASE_URL, else a temporary SQLite file; a PostgreSQL URL gets a schema of its own",
    )  # fmt: skip
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port)
        return
    if args.warmup + args.submissions > args.employees:
        parser.error("--warmup + --submissions must not exceed --employees (each review is submitted once)")
    server_url = normalise_database_url(args.database_url) if args.database_url else None
    postgres = server_url is not None and make_url(server_url).get_backend_name() == "postgresql"
    if server_url and not postgres and Path(make_url(server_url).database or "").exists():
        raise SystemExit(f"{server_url} already exists; the benchmark needs a fresh database")
    schema = None
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        if postgres:
            assert server_url is not None
            schema, url = postgres_schema(server_url)
            where = f"PostgreSQL (schema {schema}, dropped afterwards)"
        else:
            url = server_url or f"sqlite:///{folder / 'bench.db'}"
            where = "SQLite file (WAL)"
        try:
            reviews = build(url, folder, args.employees)
            warmup = reviews[: args.warmup]
            measured = reviews[args.warmup : args.warmup + args.submissions]
            port = free_port()
            server = start_server(url, port)
            try:
                run = asyncio.run(drive(port, server.pid, args.clients, warmup, measured))
            finally:
                stop_server(server)
            check = verify(url, {**run.warm.sent, **run.tally.sent})
        finally:
            if schema is not None:
                assert server_url is not None
                drop_schema(server_url, schema)
    report(args, where, run, check)


def report(args: argparse.Namespace, where: str, run: Run, check: Verification) -> None:
    warm, tally, elapsed = run.warm, run.tally, run.elapsed
    done = len(tally.sent)
    errors = sum(tally.errors.values())
    warm_errors = sum(warm.errors.values())
    expected = len(warm.sent) + done
    p95 = percentile(tally.post_ms, 0.95)
    print(
        f"review forms, {args.employees} staff, {where}: {args.clients} concurrent clients, "
        f"{args.submissions} measured submissions after {args.warmup} warm-up (GET form + POST answers each)"
    )
    print(f"  {latency_line('POST (submission)', tally.post_ms)}")
    print(f"  {latency_line('GET  (the form)  ', tally.get_ms)}")
    print(
        f"  throughput        {done / elapsed:7.1f} submissions/s   {(len(tally.get_ms) + len(tally.post_ms)) / elapsed:7.1f} requests/s   ({elapsed:.2f} s)"
    )
    if run.server_cpu is not None:
        print(
            f"  CPU (measured)    server {run.server_cpu:.1f} s = {run.server_cpu / elapsed * 100:.0f} % of one core, "
            f"{run.server_cpu * 1000 / max(done, 1):.1f} ms per submission (GET + POST); "
            f"clients {run.client_cpu:.1f} s = {run.client_cpu / elapsed * 100:.0f} % of one core"
        )
    print(
        f"  errors            {errors} measured, {warm_errors} in warm-up"
        + (f"  {dict(tally.errors + warm.errors)}" if errors or warm_errors else "")
    )
    print(
        f"  database          {check.submitted} reviews submitted, {check.scores} scores, {check.audits} audit events; "
        f"successful POSTs {expected} ({len(warm.sent)} warm-up + {done} measured)"
    )
    for problem in check.problems:
        print(f"    MISMATCH: {problem}")
    print(
        f"goal p95 ≤ {GOAL_P95_MS:.0f} ms (POST): {'PASS' if p95 <= GOAL_P95_MS else 'FAIL'} ({p95:.1f} ms)"
    )
    print(
        f"goal errors = 0:        {'PASS' if errors + warm_errors == 0 else 'FAIL'} ({errors + warm_errors})"
    )
    print(
        f"verification:           {'PASS' if not check.problems else 'FAIL'} (no lost or duplicated writes)"
    )
    if errors or warm_errors or check.problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
