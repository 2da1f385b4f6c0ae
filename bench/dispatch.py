"""Benchmark: the outbox dispatcher against bare Apprise sending the same messages one by one.

Run: `python bench/dispatch.py [--messages N] [--rounds R] [--database-url URL]`. Both sides
post to the same in-process loopback JSON webhook (`json://127.0.0.1:PORT/…`), one Apprise
instance and one notify per message. The dispatcher also claims rows, renders Jinja2 templates
and commits every outcome in its own transaction before the next send, which is the price of
"never sent twice, never lost"; the goal is at least 0.8 of the bare rate. Rounds alternate
between the two sides and the best round of each counts, so load from elsewhere on the machine
hits both alike; the main thread's CPU time per message is printed too, as a check that does not
depend on that load. Duplicates are counted at the receiving server, not trusted from our own
report. A PostgreSQL URL gets a schema of its own, dropped at the end.
"""

import argparse
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import apprise

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from pydantic import SecretStr  # noqa: E402
from sqlalchemy import create_engine, insert, make_url, text  # noqa: E402

from config.settings import Settings  # noqa: E402
from demo.local_sinks import WebhookSink  # noqa: E402
from models import Employee, Unit  # noqa: E402
from models.db import create_db_engine, normalise_database_url, write_session  # noqa: E402
from models.schema import upgrade_schema  # noqa: E402
from notifications.dispatch import dispatch_pending, enqueue  # noqa: E402

NOW = datetime(2027, 1, 11, 2, 0, tzinfo=UTC)


def bare_apprise(sink: WebhookSink, messages: int) -> float:
    """Seconds for Apprise alone to post `messages` chat texts, one instance per message."""
    started = time.perf_counter()
    for n in range(messages):
        notifier = apprise.Apprise()
        notifier.add(sink.url("json", "/bare") + "?cto=10&rto=10")
        if (
            notifier.notify(body=f"Pengingat penilaian {n}: https://kinerja.kota.go.id/review/{n}", title="")
            is not True
        ):
            raise SystemExit(f"bare Apprise failed on message {n}")
    return time.perf_counter() - started


def seed(url: str, sink: WebhookSink, messages: int) -> None:
    """One employee with a chat URL to the sink, and `messages` invitations for them."""
    engine = create_db_engine(url)
    upgrade_schema(engine)
    with write_session(engine) as session:
        unit_id = session.execute(
            insert(Unit).values(code="BENCH", name="Bench", created_at=NOW, updated_at=NOW).returning(Unit.id)
        ).scalar_one()
        person = session.execute(
            insert(Employee)
            .values(
                nip="199001012015031001", name="Rina Marlina", email="rina@kota.go.id", unit_id=unit_id,
                position="Perawat", grade="III/a", chat_url=sink.url("json", "/outbox"), timezone="Asia/Jakarta", created_at=NOW, updated_at=NOW,
            )
            .returning(Employee.id)
        ).scalar_one()  # fmt: skip
        payload = {
            "reviewer_name": "Rina Marlina", "reviewee_name": "Joko Susilo", "reviewee_nip": "199005052015031003",
            "kind": "peer", "period_key": "annual-2027", "due_at": "2027-01-18T16:59:00+00:00", "timezone": "Asia/Jakarta",
        }  # fmt: skip
        rows = [
            {"dedupe_key": f"inv:{n}", "recipient_id": person, "channel": "chat", "template": "invitation",
             "payload": {**payload, "link": f"https://kinerja.kota.go.id/review/{n}"}}
            for n in range(messages)
        ]  # fmt: skip
        assert enqueue(session, rows) == messages
        assert enqueue(session, rows) == 0
    engine.dispose()


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A temporary SQLite file, or a fresh schema on the PostgreSQL server at `url` (dropped after)."""
    if url is None:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
        return
    url = normalise_database_url(url)
    if make_url(url).get_backend_name() != "postgresql":
        yield url
        return
    schema = f"bench_dispatch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=300, help="messages per round and side")
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds; the best of each side counts"
    )
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    total = args.messages * args.rounds
    sink = WebhookSink().start()
    bare: list[float] = []
    ours: list[float] = []
    cpu = {"bare": 0.0, "ours": 0.0}
    sent = 0
    try:
        with database(args.database_url) as url:
            seed(url, sink, total)
            bare_apprise(sink, min(20, args.messages))  # warm up: plugin loading, first connections
            engine = create_db_engine(url)
            settings = Settings(secret_key=SecretStr("bench-secret-key-0123456789"), hr_notify_url=None)
            for _ in range(args.rounds):  # alternate, so load from elsewhere on the machine hits both sides
                started_cpu = time.thread_time()
                bare.append(bare_apprise(sink, args.messages))
                cpu["bare"] += time.thread_time() - started_cpu
                started, started_cpu = time.perf_counter(), time.thread_time()
                sent += dispatch_pending(engine, settings, NOW, limit=args.messages).sent
                ours.append(time.perf_counter() - started)
                cpu["ours"] += time.thread_time() - started_cpu
            engine.dispose()
    finally:
        sink.stop()
    received = Counter(
        call.body["message"].rsplit(" ", 1)[-1] for call in sink.calls if call.path == "/outbox"
    )
    duplicates = sum(count - 1 for count in received.values())
    best_bare, best_ours = min(bare), min(ours)
    print(f"messages:           {args.messages} per round, {args.rounds} rounds (best round counts)")
    print(
        f"bare Apprise:       {best_bare:.2f} s  ({args.messages / best_bare:.0f} msg/s)  rounds {', '.join(f'{t:.2f}' for t in bare)}"
    )
    print(
        f"dispatch_pending:   {best_ours:.2f} s  ({args.messages / best_ours:.0f} msg/s)  rounds {', '.join(f'{t:.2f}' for t in ours)}"
    )
    print(f"rate ratio:         {best_bare / best_ours:.2f} of bare Apprise (goal ≥ 0.80)")
    print(
        f"main-thread CPU:    bare {cpu['bare'] / total * 1000:.2f} ms/msg, dispatch {cpu['ours'] / total * 1000:.2f} ms/msg"
        f"  (ratio {cpu['bare'] / cpu['ours']:.2f})"
    )
    print(
        f"received:           {sum(received.values())} distinct {len(received)}  duplicates {duplicates}  (reported sent {sent})"
    )
    if duplicates or len(received) != total:
        raise SystemExit("FAIL: every message must arrive exactly once")


if __name__ == "__main__":
    main()
