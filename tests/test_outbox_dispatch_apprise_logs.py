"""Apprise's log while the dispatcher sends: its details go into delivery errors, and the
application's own logging sees what it would have seen without us (the adapter lowers Apprise's
logger and shortcuts its debug/info calls only while sending)."""

import logging
from collections.abc import Iterator

import pytest

from demo.local_sinks import WebhookSink
from notifications.apprise_channel import send, sending

APPRISE = logging.getLogger("apprise")


@pytest.fixture
def webhooks() -> Iterator[WebhookSink]:
    sink = WebhookSink().start()
    yield sink
    sink.stop()


def test_sending_leaves_the_apprise_logger_as_it_found_it(webhooks: WebhookSink) -> None:
    before = (APPRISE.level, list(APPRISE.filters), sorted(vars(APPRISE)))
    with sending():
        assert send(webhooks.url("json", "/hooks/ok"), "", "hello", "text", timeout=2).ok
        assert not send("json://127.0.0.1:1/hook", "", "hello", "text", timeout=1).ok
    assert (APPRISE.level, list(APPRISE.filters), sorted(vars(APPRISE))) == before


def test_warnings_reach_the_application_and_details_reach_the_error(caplog: pytest.LogCaptureFixture) -> None:
    with sending():
        result = send("json://user:s3cret@127.0.0.1:1/hook", "", "hello", "text", timeout=1)

    assert "Connection refused" in (result.error or "") and "s3cret" not in (result.error or "")
    seen = [record for record in caplog.records if record.name == "apprise"]
    assert seen, "Apprise's warning about the failed send must still reach the application"
    assert all(record.levelno >= logging.WARNING for record in seen)  # its DEBUG lines stay ours


def test_an_application_that_asks_for_debug_lines_gets_them_from_apprise_itself(
    caplog: pytest.LogCaptureFixture, webhooks: WebhookSink
) -> None:
    with caplog.at_level(logging.DEBUG, logger="apprise"), sending():
        assert send(webhooks.url("json", "/hooks/ok"), "", "hello", "text", timeout=2).ok

    lines = [record for record in caplog.records if record.name == "apprise"]
    payload = [record for record in lines if record.getMessage().startswith("JSON Payload")]
    assert payload and payload[0].levelno == logging.DEBUG
    # Reported where Apprise logged it, not at the adapter's shortcut one frame below.
    assert all("apprise_channel" not in record.pathname for record in lines)
    assert payload[0].pathname.endswith("custom_json.py")
