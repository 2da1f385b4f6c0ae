"""SQLModel tables, the engine/session factory and the schema (Alembic) entry points.

Importing this package registers every table on `SQLModel.metadata`, which Alembic compares
against the database.
"""

from models.cycle import (
    Appraisal,
    CalibrationOverride,
    IndicatorResult,
    Period,
    Recommendation,
    Review,
    ReviewScore,
)
from models.indicators import Indicator, IndicatorSet
from models.organisation import Employee, Unit
from models.outbox import AuditEvent, Notification

__all__ = [
    "Appraisal",
    "AuditEvent",
    "CalibrationOverride",
    "Employee",
    "Indicator",
    "IndicatorResult",
    "IndicatorSet",
    "Notification",
    "Period",
    "Recommendation",
    "Review",
    "ReviewScore",
    "Unit",
]
