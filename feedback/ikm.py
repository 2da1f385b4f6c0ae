"""The public satisfaction index (IKM) exactly as PermenPANRB 14/2017 computes it.

Per element, the mean of the answers (1–4); the index is the equally weighted mean of the nine
element means, times 25, so it lies between 25 and 100. Every response answers all nine
elements, so the index equals 25 × (sum of all answers) / (9 × responses): computed from the
integer sums with exact fractions and rounded half up to 2 decimals, the precision of the
rule's category bounds, so a boundary value (88.31, 76.61, 65.00) never flips on float noise.

Categories (performance of the service unit): A Sangat Baik 88.31–100, B Baik 76.61–88.30,
C Kurang Baik 65.00–76.60, D Tidak Baik 25.00–64.99.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from models.feedback import ELEMENTS

CONVERSION = 25
TWO_DECIMALS = Decimal("0.01")


@dataclass(frozen=True)
class Category:
    letter: str
    label_id: str
    label_en: str
    lower_bound: Decimal

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_id


CATEGORIES: tuple[Category, ...] = (
    Category("A", "Sangat Baik", "Very good", Decimal("88.31")),
    Category("B", "Baik", "Good", Decimal("76.61")),
    Category("C", "Kurang Baik", "Less than good", Decimal("65.00")),
    Category("D", "Tidak Baik", "Not good", Decimal("25.00")),
)


@dataclass(frozen=True)
class IkmFigures:
    """One group's figures (a service or a unit): what the report shows and the close uses."""

    responses: int
    element_sums: tuple[int, ...]
    element_means: tuple[float, ...]
    index: float
    category: Category
    min_responses: int

    @property
    def meets_min_sample(self) -> bool:
        """Whether enough citizens answered for the index to count in an appraisal."""
        return self.responses >= self.min_responses


def round_index(value: Fraction) -> Decimal:
    """Half-up to 2 decimals, the rule's precision."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        TWO_DECIMALS, rounding=ROUND_HALF_UP
    )


def category_of(index: Decimal) -> Category:
    """The category of an index already rounded to 2 decimals."""
    return next(category for category in CATEGORIES if index >= category.lower_bound)


def compute_ikm(element_sums: Sequence[int], responses: int, min_responses: int) -> IkmFigures:
    """The figures from the nine answer sums over `responses` responses (at least one)."""
    if responses < 1:
        raise ValueError("an index needs at least one response")
    if len(element_sums) != len(ELEMENTS):
        raise ValueError(f"expected {len(ELEMENTS)} element sums, got {len(element_sums)}")
    exact = Fraction(CONVERSION * sum(element_sums), len(ELEMENTS) * responses)
    index = round_index(exact)
    means = tuple(round(total / responses, 3) for total in element_sums)
    return IkmFigures(responses, tuple(element_sums), means, float(index), category_of(index), min_responses)
