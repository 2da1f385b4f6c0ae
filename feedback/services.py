"""The public services citizens rate: registering them under their unit, finding them, their links.

A service is identified by its unit's code and its own code (`DISDUKCAPIL` / `KTP-el`); the
public form lives at `/survei/<unit>/<service>` and the counter's short link `/s/<id>` redirects
there (short enough to print under the QR code). Registering is idempotent: the unique
(unit, code) makes a second registration, or two at once, find the first one.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from config.errors import AppraisalError
from config.fields import UNIT_CODE_PATTERN
from models import Service, Unit
from models.base import utc_now

SERVICE_CODE_PATTERN = UNIT_CODE_PATTERN  # the same shape as unit codes: 1-32 of A-Z a-z 0-9 . _ -
MAX_NAME = 200


@dataclass(frozen=True)
class ServiceRef:
    id: int
    unit_code: str
    unit_name: str
    code: str
    name: str

    @property
    def form_path(self) -> str:
        return f"/survei/{self.unit_code}/{self.code}"

    @property
    def short_path(self) -> str:
        return f"/s/{self.id}"


def _select():  # type: ignore[no-untyped-def]
    return select(Service.id, Unit.code, Unit.name, Service.code, Service.name).join(
        Unit, Unit.id == Service.unit_id
    )


def find_service(session: Session, unit_code: str, service_code: str) -> ServiceRef | None:
    """The service `service_code` of unit `unit_code`, or None."""
    row = session.execute(_select().where(Unit.code == unit_code, Service.code == service_code)).first()
    return ServiceRef(*row) if row else None


def service_by_id(session: Session, service_id: int) -> ServiceRef | None:
    row = session.execute(_select().where(Service.id == service_id)).first()
    return ServiceRef(*row) if row else None


def list_services(session: Session) -> list[ServiceRef]:
    """Every service, by unit code then service code."""
    return [ServiceRef(*row) for row in session.execute(_select().order_by(Unit.code, Service.code))]


def check_service_fields(code: str, name: str) -> list[tuple[str, str]]:
    """(field, problem) for a service code or name that cannot be registered."""
    problems = []
    if not SERVICE_CODE_PATTERN.match(code):
        problems.append(("service_code", f"expected 1-32 letters, digits, '.', '_' or '-' (got {code!r})"))
    if not name.strip():
        problems.append(("service_name", "a name is required for a service not registered yet"))
    elif len(name.strip()) > MAX_NAME:
        problems.append(("service_name", f"at most {MAX_NAME} characters (got {len(name.strip())})"))
    return problems


def register_service(session: Session, unit_code: str, code: str, name: str) -> ServiceRef:
    """The service, registered under `unit_code` if new (an existing one keeps its name)."""
    problems = check_service_fields(code, name)
    if problems:
        raise AppraisalError("; ".join(f"{field}: {message}" for field, message in problems))
    unit_id = session.execute(select(Unit.id).where(Unit.code == unit_code)).scalar()
    if unit_id is None:
        raise AppraisalError(
            f"unit_code: no unit {unit_code!r} in the roster (`appraisal roster show` lists them)"
        )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(Service)
        .values(unit_id=unit_id, code=code, name=name.strip(), created_at=utc_now())
        .on_conflict_do_nothing(index_elements=["unit_id", "code"])
    )
    found = find_service(session, unit_code, code)
    assert found is not None, "inserted or already present"
    return found
