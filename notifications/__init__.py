"""Outbox, Apprise delivery and message templates."""
