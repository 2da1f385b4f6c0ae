"""Choosing peer reviewers: deterministic, balanced, never the employee nor their supervisor.

Colleagues of the same unit come first; a unit too small to supply enough borrows from its
sibling units (same parent). Within a tier, candidates with the fewest peer reviews so far are
preferred, ties broken by a hash of (period, reviewee, candidate): the same inputs always give
the same choice, and nobody is asked to review half the office.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import NamedTuple


class Person(NamedTuple):
    id: int
    nip: str
    unit_id: int
    supervisor_id: int | None


def _tiebreak(prefix: str, candidate: str) -> int:
    """Hash of "period:reviewee:candidate" (`prefix` is "period:reviewee:")."""
    digest = hashlib.blake2b(f"{prefix}{candidate}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def choose_peers(
    reviewees: Iterable[Person],
    staff: Iterable[Person],
    unit_parent: dict[int, int | None],
    *,
    count: int,
    salt: str,
    load: Counter[int] | None = None,
) -> dict[int, list[int]]:
    """reviewee id → chosen peer ids (at most `count`; fewer only if the units run out).

    `staff` are the active employees who may review; `load` counts peer reviews each already has
    in this period and is updated as peers are chosen.
    """
    load = load if load is not None else Counter()
    members: dict[int, list[Person]] = {}
    for person in staff:
        members.setdefault(person.unit_id, []).append(person)
    siblings: dict[int | None, list[int]] = {}
    for unit_id, parent_id in sorted(unit_parent.items()):
        siblings.setdefault(parent_id, []).append(unit_id)
    chosen: dict[int, list[int]] = {}
    for reviewee in sorted(reviewees, key=lambda p: p.nip):
        excluded = {reviewee.id, reviewee.supervisor_id}
        picks: list[int] = []
        prefix = f"{salt}:{reviewee.nip}:"
        for tier in (
            members.get(reviewee.unit_id, []),
            _sibling_staff(reviewee.unit_id, unit_parent, siblings, members),
        ):
            if len(picks) == count:
                break
            candidates = [p for p in tier if p.id not in excluded]
            candidates.sort(key=lambda p: (load[p.id], _tiebreak(prefix, p.nip)))
            for person in candidates[: count - len(picks)]:
                picks.append(person.id)
                load[person.id] += 1
        chosen[reviewee.id] = picks
    return chosen


def _sibling_staff(
    unit_id: int,
    unit_parent: dict[int, int | None],
    siblings: dict[int | None, list[int]],
    members: dict[int, list[Person]],
) -> Iterator[Person]:
    """Staff of the sibling units, generated only when the own unit is too small (most are not:
    building this list for every reviewee was a third of choosing peers for 10,000 staff)."""
    for unit in siblings.get(unit_parent.get(unit_id), []):
        if unit != unit_id:
            yield from members.get(unit, [])
