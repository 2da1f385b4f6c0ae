"""Benchmark: review forms under load — browsers submitting self-assessments through the real server.

Run: `python bench/web_submit.py [--employees N] [--clients C] [--submissions S] [--warmup W]
[--workers P] [--rate R] [--no-search]`.
Setup (not measured) builds a fresh SQLite file (WAL) in a temporary folder — or, when
`APPRAISAL_DATABASE_URL` (or `--database-url`) names a PostgreSQL server, a schema of its own
there, dropped afterwards — imports a synthetic city and opens the annual period, so every
self-assessment is open. The web app is then served by `appraisal web --workers P` itself (a
subprocess on a free loopback port, P uvicorn processes) with its clock held (APPRAISAL_NOW) at
a moment inside the self-assessment window. Each browser is one httpx AsyncClient with its own
cookie jar; per review it GETs the form (for the CSRF token and the indicator fields), then POSTs
the answers; a submission must answer 303 to `?saved=submitted`. Every review is submitted once.

1. Closed loop, the issue's figure: C browsers submit back to back (no pause), W warm-up
   submissions first (not measured), then S measured. The goal is POST p95 ≤ 50 ms and no errors.
   With no pause the load is whatever the server can take, so the latency is mostly queueing:
   by Little's law 50 browsers at p95 ≤ 50 ms need some 1,000 submissions/s.
2. Open loop at `--rate R` submissions/s: arrivals at seeded random (Poisson) times, each handed
   to a free browser of the C; the latency is then that of a server carrying R/s.
3. The search (unless `--no-search`): open-loop steps at rising, then bisected rates, for the
   highest rate whose POST p95 stays ≤ 50 ms with no errors — the figure to state a goal with.

The latency of the POST (the submission) and of the GET are reported separately, as seen by the
client (so they include the client's own scheduling on a shared machine), with the server's CPU
per submission (all its processes). Afterwards the database is checked: exactly the reviews whose
POST succeeded are submitted, each with the scores sent and one audit event — no lost or
duplicated writes. Exits 1 on any request error or verification mismatch; a missed latency goal
only prints FAIL.
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

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


# --- the server (`appraisal web`, as a subprocess) -------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """`appraisal web --port PORT --workers WORKERS` on `url`, once it answers."""
    env = {
        **os.environ,
        "APPRAISAL_DATABASE_URL": url,
        "APPRAISAL_DEMO": "true",
        "APPRAISAL_SECRET_KEY": SECRET,
        "APPRAISAL_NOW": APP_NOW.isoformat(),
    }
    command = [sys.executable, "-c", "from cli.main import run; run()", "web", "--port", str(port), "--workers", str(workers)]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before answering")
        try:
            httpx.get(f"http://127.0.0.1:{port}/review/not-a-token", timeout=1)  # 404 page: it answers
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not answer within 90 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # uvicorn shuts down gracefully on SIGTERM
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _stat_fields(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` and every process under it (Linux /proc), None elsewhere."""
    try:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int(_stat_fields(int(entry.name))[1])
                except (OSError, ValueError, IndexError):
                    continue  # gone meanwhile
        tree, grew = {pid}, True
        while grew:
            below = {child for child, parent in parents.items() if parent in tree} - tree
            tree, grew = tree | below, bool(below)
        ticks = 0
        for member in tree:
            try:
                fields = _stat_fields(member)
                ticks += int(fields[11]) + int(fields[12])
            except (OSError, ValueError, IndexError):
                continue
        return ticks / os.sysconf("SC_CLK_TCK")
    except OSError:
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


async def closed_loop(clients: list[httpx.AsyncClient], reviews: list[int], tally: Tally) -> float:
    """Submit every review in `reviews` with all clients back to back; the wall-clock seconds it took."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for review_id in reviews:
        queue.put_nowait(review_id)
    started = time.perf_counter()
    await asyncio.gather(*(browser(c, queue, tally, n) for n, c in enumerate(clients)))
    return time.perf_counter() - started


async def open_loop(
    clients: list[httpx.AsyncClient], reviews: list[int], rate: float, tally: Tally, seed: int
) -> tuple[float, int]:
    """Submit `reviews` arriving at Poisson times of mean rate `rate`/s, each on a free client.

    Returns the wall-clock seconds and how many arrivals found every client busy (they wait, so
    the offered rate was not really kept)."""
    idle: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
    for client in clients:
        idle.put_nowait(client)
    arrivals, answers = random.Random(seed), random.Random(seed + 1)
    loop = asyncio.get_running_loop()
    started, due, late = loop.time(), 0.0, 0
    tasks = []

    async def one(client: httpx.AsyncClient, review_id: int) -> None:
        try:
            await submit_one(client, review_id, tally, answers)
        finally:
            idle.put_nowait(client)

    for review_id in reviews:
        due += arrivals.expovariate(rate)
        await asyncio.sleep(max(0.0, started + due - loop.time()))
        late += idle.empty()  # every browser is still busy: the server is not keeping up
        client = await idle.get()
        tasks.append(asyncio.create_task(one(client, review_id)))
    await asyncio.gather(*tasks)
    return loop.time() - started, late


@dataclass
class Phase:
    """One measured phase: what the browsers saw and what the server spent."""

    label: str
    tally: Tally
    elapsed: float  # seconds
    server_cpu: float | None  # CPU seconds of the server's processes
    client_cpu: float  # CPU seconds of this (client) process
    rate: float | None = None  # offered submissions/s (open loop)
    late: int = 0  # arrivals that found every browser busy

    @property
    def p95(self) -> float:
        return percentile(self.tally.post_ms, 0.95)

    @property
    def errors(self) -> int:
        return sum(self.tally.errors.values())

    def passes(self) -> bool:
        return self.p95 <= GOAL_P95_MS and self.errors == 0 and self.late <= len(self.tally.post_ms) // 20


async def measured(
    label: str,
    pid: int,
    run: Callable[[Tally], Awaitable[float | tuple[float, int]]],
    rate: float | None = None,
) -> Phase:
    """Run the coroutine factory `run(tally)` with the server's and this process's CPU counted."""
    tally = Tally()
    server_before, client_before = cpu_seconds(pid), time.process_time()
    outcome = await run(tally)
    server_after, client_after = cpu_seconds(pid), time.process_time()
    elapsed, late = outcome if isinstance(outcome, tuple) else (outcome, 0)
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    return Phase(label, tally, elapsed, server_cpu, client_after - client_before, rate, late)


@dataclass
class Plan:
    clients: int
    warmup: list[int]
    closed: list[int]
    rate: float | None  # one open-loop phase at this rate
    rate_reviews: list[int]
    search: list[int]  # reviews left for the rate search (empty: no search)


MIN_RATE = 2.5  # submissions/s: the lowest rate the search tries


def _step_size(rate: float) -> int:
    """Submissions in one search step: about eight seconds' worth, 40 to 300."""
    return max(40, min(300, int(rate * 8)))


async def search_rates(clients: list[httpx.AsyncClient], pid: int, reviews: list[int]) -> list[Phase]:
    """Open-loop steps: double the rate from 5/s until a step fails, then bisect to within 15 %;
    below MIN_RATE it stops (each step would take minutes)."""
    steps: list[Phase] = []
    passing, failing, rate = 0.0, 0.0, 5.0
    while len(steps) < 12:
        size = _step_size(rate)
        if len(reviews) < size:
            break  # out of open reviews: the table says how far it got
        batch, reviews = reviews[:size], reviews[size:]
        step = await measured(
            f"open loop {rate:6.1f}/s", pid, lambda t, b=batch, r=rate: open_loop(clients, b, r, t, len(steps)), rate
        )  # fmt: skip
        steps.append(step)
        if step.passes():
            passing = rate
        else:
            failing = rate
        if failing and passing and failing / passing < 1.15:
            break
        if failing and rate <= MIN_RATE:
            break
        rate = rate * 2 if not failing else (passing + failing) / 2 if passing else max(MIN_RATE, rate / 2)
    return steps


@dataclass
class Run:
    warm: Tally
    closed: Phase
    at_rate: Phase | None
    search: list[Phase]

    def tallies(self) -> list[Tally]:
        return [self.warm, self.closed.tally] + [
            p.tally for p in [self.at_rate, *self.search] if p is not None
        ]


async def drive(port: int, pid: int, plan: Plan) -> Run:
    base = f"http://127.0.0.1:{port}"
    clients = [
        httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1)) for _ in range(plan.clients)
    ]  # fmt: skip
    try:
        warm = Tally()
        await closed_loop(clients, plan.warmup, warm)
        closed = await measured("closed loop", pid, lambda t: closed_loop(clients, plan.closed, t))
        at_rate = None
        if plan.rate is not None:
            rate = plan.rate
            at_rate = await measured(
                f"open loop {rate:6.1f}/s", pid, lambda t: open_loop(clients, plan.rate_reviews, rate, t, 99), rate
            )  # fmt: skip
        search = await search_rates(clients, pid, plan.search) if plan.search else []
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return Run(warm, closed, at_rate, search)


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
        "--employees", type=int, default=5_000, help="staff in the city (one self review each)"
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent browsers")
    parser.add_argument("--submissions", type=int, default=2_000, help="measured closed-loop submissions")
    parser.add_argument("--warmup", type=int, default=200, help="submissions before measuring")
    parser.add_argument("--workers", type=int, default=1, help="server processes (appraisal web --workers)")
    parser.add_argument("--rate", type=float, help="also run one open-loop phase at this many submissions/s")
    parser.add_argument("--rate-submissions", type=int, default=600, help="submissions in the --rate phase")
    parser.add_argument(
        "--search", action=argparse.BooleanOptionalAction, default=True,
        help="search the highest open-loop rate with POST p95 ≤ 50 ms (uses the reviews left over)",
    )  # fmt: skip
    parser.add_argument(
        "--database-url", default=os.environ.get("APPRAISAL_DATABASE_URL"),
        help="default: APPRAISAL_DATABASE_URL, else a temporary SQLite file; a PostgreSQL URL gets a schema of its own",
    )  # fmt: skip
    args = parser.parse_args()
    needed = args.warmup + args.submissions + (args.rate_submissions if args.rate else 0)
    if needed > args.employees:
        parser.error("--warmup + --submissions (+ --rate-submissions) must not exceed --employees (each review is submitted once)")  # fmt: skip
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
            closed_end = args.warmup + args.submissions
            rate_end = closed_end + (args.rate_submissions if args.rate else 0)
            plan = Plan(
                args.clients, reviews[: args.warmup], reviews[args.warmup : closed_end], args.rate,
                reviews[closed_end:rate_end], reviews[rate_end:] if args.search else [],
            )  # fmt: skip
            port = free_port()
            server = start_server(url, port, args.workers)
            try:
                run = asyncio.run(drive(port, server.pid, plan))
            finally:
                stop_server(server)
            sent = {k: v for tally in run.tallies() for k, v in tally.sent.items()}
            check = verify(url, sent)
        finally:
            if schema is not None:
                assert server_url is not None
                drop_schema(server_url, schema)
    report(args, where, run, check)


def phase_lines(phase: Phase) -> list[str]:
    done, elapsed = len(phase.tally.sent), phase.elapsed
    lines = [
        f"  {latency_line('POST (submission)', phase.tally.post_ms)}",
        f"  {latency_line('GET  (the form)  ', phase.tally.get_ms)}",
        f"  throughput        {done / elapsed:7.1f} submissions/s   {(len(phase.tally.get_ms) + len(phase.tally.post_ms)) / elapsed:7.1f} requests/s   ({elapsed:.2f} s)",
    ]  # fmt: skip
    if phase.server_cpu is not None:
        lines.append(
            f"  CPU               server {phase.server_cpu:.1f} s = {phase.server_cpu / elapsed * 100:.0f} % of one core, "
            f"{phase.server_cpu * 1000 / max(done, 1):.1f} ms per submission (GET + POST); "
            f"clients {phase.client_cpu:.1f} s = {phase.client_cpu / elapsed * 100:.0f} % of one core"
        )  # fmt: skip
    if phase.rate is not None:
        lines.append(f"  arrivals          {phase.rate:.1f}/s offered; {phase.late} of {len(phase.tally.post_ms)} found every browser busy")  # fmt: skip
    lines.append(
        f"  errors            {phase.errors}" + (f"  {dict(phase.tally.errors)}" if phase.errors else "")
    )
    return lines


def search_lines(steps: list[Phase]) -> list[str]:
    if not steps:
        return []
    lines = [
        "open-loop search (Poisson arrivals; a step passes with POST p95 ≤ 50 ms, no errors, ≤ 5 % late arrivals):"
    ]
    for step in steps:
        cpu = (
            f"{step.server_cpu * 1000 / max(len(step.tally.sent), 1):5.1f} ms CPU/submission"
            if step.server_cpu is not None
            else ""
        )
        lines.append(
            f"  {step.rate:7.1f}/s offered  {len(step.tally.sent) / step.elapsed:6.1f}/s done  POST p50 {percentile(step.tally.post_ms, 0.5):7.1f} "
            f"p95 {step.p95:7.1f} ms  GET p95 {percentile(step.tally.get_ms, 0.95):7.1f} ms  all busy {step.late:3d}/{len(step.tally.post_ms):3d}  "
            f"errors {step.errors}  {cpu}  {'pass' if step.passes() else 'FAIL'}"
        )  # fmt: skip
    best = max((s.rate or 0.0 for s in steps if s.passes()), default=None)
    lines.append(
        f"highest open-loop rate with POST p95 ≤ {GOAL_P95_MS:.0f} ms: "
        + (
            f"{best:.1f} submissions/s"
            if best is not None
            else "none of the rates tried (the lowest was too much)"
        )
    )
    return lines


def report(args: argparse.Namespace, where: str, run: Run, check: Verification) -> None:
    closed = run.closed
    errors = sum(sum(t.errors.values()) for t in run.tallies())
    expected = sum(len(t.sent) for t in run.tallies())
    print(
        f"review forms, {args.employees} staff, {where}, appraisal web --workers {args.workers}: {args.clients} browsers; "
        f"closed loop: {args.submissions} measured submissions after {args.warmup} warm-up (GET form + POST answers each, no pause)"
    )  # fmt: skip
    print("\n".join(phase_lines(closed)))
    if warm_errors := sum(run.warm.errors.values()):
        print(f"  warm-up errors    {warm_errors}  {dict(run.warm.errors)}")
    if run.at_rate is not None:
        print(
            f"open loop at {run.at_rate.rate:.1f} submissions/s ({len(run.at_rate.tally.post_ms)} submissions, Poisson arrivals over the {args.clients} browsers):"
        )
        print("\n".join(phase_lines(run.at_rate)))
    for line in search_lines(run.search):
        print(line)
    print(
        f"database          {check.submitted} reviews submitted, {check.scores} scores, {check.audits} audit events; "
        f"successful POSTs {expected} (all phases)"
    )
    for problem in check.problems:
        print(f"    MISMATCH: {problem}")
    print(
        f"load average      {' '.join(f'{x:.1f}' for x in os.getloadavg())} (the machine is shared: other work slows both server and browsers)"
    )
    print(
        f"goal p95 ≤ {GOAL_P95_MS:.0f} ms (POST, {args.clients} closed-loop browsers): {'PASS' if closed.p95 <= GOAL_P95_MS else 'FAIL'} ({closed.p95:.1f} ms)"
    )
    print(f"goal errors = 0:        {'PASS' if errors == 0 else 'FAIL'} ({errors}, all phases)")
    print(
        f"verification:           {'PASS' if not check.problems else 'FAIL'} (no lost or duplicated writes)"
    )
    if errors or check.problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
