"""Apprise's verdicts on a roster's chat URLs, judged in a separate process when there are many.

Apprise spends ~0.2–0.3 ms building a notifier from a chat URL, most of it in its URL parser:
~8 s of CPU for the 30,000 chat URLs of a 100,000-person roster, a third of the whole import.
The verdict needs no database, so a second process judges the URLs while this one validates
the rest and writes in the still-open transaction; the import commits only if every URL
passed. The process is a plain `python -m roster.chat_checks`, not multiprocessing: spawn and
forkserver re-import the parent's main module in the child, and for the CLI that is every
command's imports (~3 s). Few URLs (a re-import names only new or changed ones) are judged
here, where starting a process would cost more than it saves.
"""

import json
import subprocess
import sys
import tempfile
from collections.abc import Collection
from pathlib import Path
from types import TracebackType
from typing import IO

from roster.contacts import ContactChecks

WORKER_MIN_URLS = 2_000  # ~0.5 s of checks: below that, starting a process costs more than it saves
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def unparseable(urls: Collection[str]) -> set[str]:
    """The URLs Apprise cannot build a notifier from."""
    contacts = ContactChecks()
    return {url for url in urls if not contacts.chat_url_parses(url)}


class ChatUrlChecks:
    """The verdicts on `urls`: a worker process starts at once when there are many; use as a
    context manager so the worker never outlives an import that failed for another reason."""

    def __init__(self, urls: Collection[str]) -> None:
        self._urls = urls
        self._worker: subprocess.Popen[bytes] | None = None
        if len(urls) >= WORKER_MIN_URLS:
            self._worker = _start_worker(urls)

    def unparseable(self) -> set[str]:
        """The URLs Apprise refuses, waiting for the worker if there is one."""
        if self._worker is None:
            return unparseable(self._urls)
        output, _ = self._worker.communicate()
        if self._worker.returncode != 0:  # its traceback went to our stderr
            raise RuntimeError(f"the chat-URL check process failed (exit status {self._worker.returncode})")
        return set(json.loads(output))

    def __enter__(self) -> "ChatUrlChecks":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._worker is not None and self._worker.poll() is None:
            self._worker.kill()
            self._worker.wait()


def _start_worker(urls: Collection[str]) -> "subprocess.Popen[bytes]":
    """`python -m roster.chat_checks` reading the URLs as JSON from a temporary file (a pipe
    would block us until the child has imported Apprise and starts reading)."""
    with tempfile.TemporaryFile() as listing:
        listing.write(json.dumps(list(urls)).encode())
        listing.seek(0)
        return subprocess.Popen(
            [sys.executable, "-m", "roster.chat_checks"],
            cwd=PROJECT_ROOT,
            stdin=listing,
            stdout=subprocess.PIPE,
        )


def _main(source: IO[str], sink: IO[str]) -> None:
    json.dump(sorted(unparseable(json.load(source))), sink)


if __name__ == "__main__":
    _main(sys.stdin, sys.stdout)
