"""The whole-cycle benchmark still runs end to end (on a tiny city: it is not timed here)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "cycle.py"


def test_cycle_benchmark_closes_every_appraisal_of_a_small_city(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--employees", "200", "--status-runs", "1", "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("roster import", "open", "advance after peer", "close", "status (CLI process)"):
        assert step in result.stdout
