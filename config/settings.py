"""Settings from the environment (`APPRAISAL_*`) and a `.env` file in the working directory.

One `Settings` object is built per command or request and passed on; nothing is cached at module
level, so tests (and a long-running server) see the environment they set. `load_settings` turns
pydantic's errors into a `ConfigError` that names the environment variable to fix.
"""

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from config.errors import ConfigError
from config.fields import check_timezone
from config.problems import iter_problems

if TYPE_CHECKING:
    from config.cycles import CyclesConfig

ENV_PREFIX = "APPRAISAL_"
# Known to everyone who reads this file, hence only acceptable for a demo (APPRAISAL_DEMO=true).
DEFAULT_SECRET_KEY = "change-me-appraisal-demo-secret"
MIN_SECRET_LENGTH = 16
DEFAULT_CYCLES_PATH = Path(__file__).with_name("cycles.yaml")
SECRET_FIELDS = frozenset({"secret_key", "smtp_url", "hr_notify_url", "database_url"})
_GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class Settings(BaseSettings):
    """Everything that differs between installations; the cycles themselves live in the YAML."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # `APPRAISAL_NOW=` (empty) means "not set", as in most shells' habits.
        env_ignore_empty=True,
    )

    database_url: str = "sqlite:///appraisal.db"
    # Path of the cycle YAML; None: the `cycles.yaml` shipped next to this module.
    config: Path | None = None
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    demo: bool = False
    # Public URL of the web app, for links in messages.
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Jakarta"
    # Apprise URL of the organisation's SMTP account (mailto://user:password@host).
    smtp_url: SecretStr | None = None
    # Apprise URL of HR's channel (Telegram, Slack, Mattermost, Teams, …).
    hr_notify_url: SecretStr | None = None
    hr_email: str | None = None
    # The public satisfaction form: accepted responses per client address (a keyed hash of it is
    # counted in the database, so the limit holds across web workers) per window of minutes.
    feedback_rate_limit: Annotated[int, Field(ge=1, le=10_000)] = 10
    feedback_rate_window_minutes: Annotated[int, Field(ge=1, le=1440)] = 60
    # The one clock (DESIGN §2): a fixed "now" to simulate a whole year; naive means `timezone`.
    now: datetime | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        length = len(value.get_secret_value())
        if length < MIN_SECRET_LENGTH:
            raise ValueError(
                f"too short ({length} characters, at least {MIN_SECRET_LENGTH}); generate one with {_GENERATE_SECRET}"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https:// (got {value!r})")
        return value.rstrip("/")

    @field_validator("smtp_url", "hr_notify_url")
    @classmethod
    def _apprise_url(cls, value: SecretStr | None) -> SecretStr | None:
        # Only the shape: parsing with Apprise would import it (slow) on every command.
        if value is not None and "://" not in value.get_secret_value():
            raise ValueError("must be an Apprise URL such as mailto://user:password@smtp.example.go.id")
        return value

    @field_validator("hr_email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value:
            raise ValueError(f"must be an email address (got {value!r})")
        return value

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.secret_key.get_secret_value() == DEFAULT_SECRET_KEY and not self.demo:
            raise ValueError(
                f"{ENV_PREFIX}SECRET_KEY: not set, and the built-in key is only allowed for a demo. "
                f"Set {ENV_PREFIX}SECRET_KEY to a secret of your own (e.g. the output of {_GENERATE_SECRET}), "
                f"or set {ENV_PREFIX}DEMO=true to run a demo"
            )
        return self

    @model_validator(mode="after")
    def _aware_now(self) -> "Settings":
        if self.now is not None:
            zone = ZoneInfo(self.timezone)
            now = self.now.replace(tzinfo=zone) if self.now.tzinfo is None else self.now
            self.now = now.astimezone(zone)
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The organisation's default time zone."""
        return ZoneInfo(self.timezone)

    def current_time(self) -> datetime:
        """`now` when fixed (APPRAISAL_NOW / --now), else the wall clock; always aware, in `timezone`."""
        return self.now if self.now is not None else datetime.now(self.zone)

    def cycles_path(self) -> Path:
        """The cycle YAML in use: APPRAISAL_CONFIG, else the shipped `config/cycles.yaml`."""
        return self.config.expanduser() if self.config is not None else DEFAULT_CYCLES_PATH

    def load_cycles(self) -> "CyclesConfig":
        """The validated cycle definitions of `cycles_path()` (read again on every call)."""
        from config.cycles import load_cycles

        return load_cycles(self.cycles_path())


def _label(field: str | int, overrides: dict[str, Any]) -> str:
    name = str(field)
    if name in overrides:  # given by a command-line option, not the environment
        return f"--{name.replace('_', '-')}"
    return f"{ENV_PREFIX}{name.upper()}"


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env`, with `overrides` (e.g. a command's --now) on top.

    An override of None means "not given" and leaves the environment's value in force.
    """
    given = {name: value for name, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        lines = []
        for loc, reason in iter_problems(exc, secret_fields=SECRET_FIELDS):
            lines.append(f"{_label(loc[0], given)}: {reason}" if loc else reason)
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None
    except SettingsError as exc:
        raise ConfigError(f"invalid settings in the environment or .env: {exc}") from None
