"""How an IKM-sourced indicator's figure is explained to the employee (results page, `results show`).

The employee should see what the number rests on: the unit's index, its category, how many
citizens answered, and the score it gave — or why the indicator was left out (no responses, or
fewer than the cycle's minimum sample), so a missing figure never looks like a lost one.
"""

from decimal import Decimal

from feedback.ikm import category_of


def public_source_words(index: float | None, responses: int | None, score: float | None, locale: str) -> str:
    """One sentence in `locale` (id or en) about the public satisfaction figure behind an indicator."""
    english = locale == "en"
    if not responses or index is None:
        return (
            "Public satisfaction survey: no responses for the unit in this period; the indicator is not scored."
            if english
            else "Survei kepuasan masyarakat: belum ada tanggapan untuk unit ini pada periode ini; indikator tidak dinilai."
        )
    category = category_of(Decimal(f"{index:.2f}"))
    figure = f"IKM {index:.2f} ({category.letter} {category.label(locale)})"
    if score is None:
        return (
            f"Public satisfaction survey: unit {figure} from {responses} responses, below the minimum sample; "
            "the indicator is not scored."
            if english
            else f"Survei kepuasan masyarakat: {figure} unit dari {responses} responden, belum memenuhi sampel "
            "minimum; indikator tidak dinilai."
        )
    return (
        f"From the public satisfaction survey: unit {figure}, {responses} responses → score {score:g}."
        if english
        else f"Dari survei kepuasan masyarakat: {figure} unit, {responses} responden → nilai {score:g}."
    )
