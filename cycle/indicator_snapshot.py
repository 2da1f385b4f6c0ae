"""Freezing an indicator set into the database when a period opens.

The period keeps pointing at this version even when the YAML changes later, so reviews in an
open or closed period are always checked and scored against what staff were shown. Identical
definitions share one version (found by fingerprint) instead of being copied per period.
"""

import hashlib
import json

from sqlalchemy import func, insert, select
from sqlmodel import Session

from config.cycles import CyclesConfig
from models import Indicator, IndicatorSet
from models.base import utc_now
from models.db import serialise_writers

_STORED = {"code", "name", "description", "aspect", "weight", "source"}


def _rows(config: CyclesConfig, set_name: str) -> list[dict[str, object]]:
    definition = config.indicator_set(set_name)
    rows: list[dict[str, object]] = [
        {
            "unit_code": None,
            **indicator.model_dump(include=_STORED),
        }
        for indicator in definition.indicators
    ]
    for addition in definition.unit_additions:
        for unit_code in addition.units:
            for indicator in addition.indicators:
                fields = indicator.model_dump(include=_STORED)
                rows.append({"unit_code": unit_code, **fields})
    return rows


def snapshot_indicator_set(session: Session, config: CyclesConfig, set_name: str) -> int:
    """Id of the stored version of `set_name` as the YAML defines it now (stored if new).

    Cycles sharing a set may open at the same minute (monthly and quarterly on 1 January): the
    lock makes the second wait and then find the first one's version instead of inserting it again.
    """
    serialise_writers(session, f"indicator-set:{set_name}")
    scale = config.indicator_set(set_name).scale
    rows = _rows(config, set_name)
    canonical = json.dumps({"name": set_name, "scale": [scale.min, scale.max], "rows": rows}, sort_keys=True)
    fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
    existing = session.execute(
        select(IndicatorSet.id).where(IndicatorSet.fingerprint == fingerprint)
    ).scalar()
    if existing is not None:
        return existing
    version = (
        session.execute(
            select(func.coalesce(func.max(IndicatorSet.version), 0)).where(IndicatorSet.name == set_name)
        ).scalar_one()
        + 1
    )
    set_id = session.execute(
        insert(IndicatorSet).returning(IndicatorSet.id),
        [{"name": set_name, "version": version, "fingerprint": fingerprint, "scale_min": scale.min,
          "scale_max": scale.max, "created_at": utc_now()}],
    ).scalar_one()  # fmt: skip
    session.execute(insert(Indicator), [{"indicator_set_id": set_id, **row} for row in rows])
    return set_id
