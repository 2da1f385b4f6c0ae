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
from models.feedback import FeedbackImport, FeedbackResponse, RateLimitHit, Service
from models.hr_accounts import ApiToken, HrUser
from models.indicators import Indicator, IndicatorSet
from models.organisation import Employee, Unit
from models.outbox import AuditEvent, Notification
from models.review_tally import ReviewTally

__all__ = [
    "ApiToken",
    "Appraisal",
    "AuditEvent",
    "CalibrationOverride",
    "Employee",
    "FeedbackImport",
    "FeedbackResponse",
    "HrUser",
    "Indicator",
    "IndicatorResult",
    "IndicatorSet",
    "Notification",
    "Period",
    "RateLimitHit",
    "Recommendation",
    "Review",
    "ReviewScore",
    "ReviewTally",
    "Service",
    "Unit",
]
