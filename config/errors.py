"""Errors a user can act on.

Every layer raises a subclass of :class:`AppraisalError` for problems in the user's input or
environment; the CLI (and later the web app) turns them into a readable message and exit code 1
without a traceback. Anything else is a bug and keeps its traceback.
"""


class AppraisalError(Exception):
    """A problem the user can fix; its message is shown as is."""


class ConfigError(AppraisalError):
    """Settings or the cycle YAML are invalid; the message names the file, the path and the reason."""
