"""Options shared by several commands, declared once."""

from typing import Annotated

import typer

NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Act as if it were this time (ISO-8601, e.g. 2027-01-04T09:00+07:00); default APPRAISAL_NOW, else the real time.",
    ),
]
PeriodOption = Annotated[
    str | None, typer.Option("--period", help="Period key, e.g. annual-2027 (default: the latest).")
]
