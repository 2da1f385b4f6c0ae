"""The one table of allowed stage moves, and which review kind belongs to which stage.

Every SQL statement that moves appraisals takes its (from, to) pair from `NEXT_STAGE`, and the
UPDATE is conditional on the `from` stage, so a stage can never be skipped, reversed, or moved
twice by two runs at once.
"""

from config.errors import AppraisalError
from models.cycle import REVIEW_KIND, STAGES

NEXT_STAGE: dict[str, str] = dict(zip(STAGES, STAGES[1:], strict=False))
REVIEW_STAGES: tuple[str, ...] = tuple(REVIEW_KIND)


class TransitionNotAllowed(AppraisalError):
    """A move that is not the next step of the cycle."""


def check_transition(current: str, target: str) -> None:
    """Raise unless `target` is the stage right after `current`."""
    if NEXT_STAGE.get(current) != target:
        allowed = NEXT_STAGE.get(current, "nothing (final stage)")
        raise TransitionNotAllowed(
            f"an appraisal in stage {current} can only move to {allowed}, not {target}"
        )


def stage_index(stage: str) -> int:
    """Position of `stage` in the cycle (0 = self_assessment)."""
    return STAGES.index(stage)
