"""The `appraisal` command line (Typer)."""
