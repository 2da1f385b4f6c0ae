"""Which employee heads each unit, derived from the supervisor tree rather than typed in.

The roster has no "head" column: a unit's head is the active member whose supervisor sits
outside the unit (or who has none). If several qualify, the one with most direct reports
inside the unit wins, then the smallest NIP, so the choice is deterministic.
"""

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple


class Member(NamedTuple):
    id: int
    nip: str
    unit_id: int
    supervisor_id: int | None


def choose_heads(members: Iterable[Member]) -> dict[int, int]:
    """unit id → head employee id, for every unit that has active members."""
    members = list(members)
    unit_of = {m.id: m.unit_id for m in members}
    reports_inside = Counter(m.supervisor_id for m in members if unit_of.get(m.supervisor_id) == m.unit_id)
    candidates: dict[int, list[Member]] = {}
    for member in members:
        if unit_of.get(member.supervisor_id) != member.unit_id:
            candidates.setdefault(member.unit_id, []).append(member)
    return {
        unit_id: min(group, key=lambda m: (-reports_inside[m.id], m.nip)).id
        for unit_id, group in candidates.items()
    }
