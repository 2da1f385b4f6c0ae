"""The README's two newcomer commands stay true: CI runs the very test command it shows."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands_demo_then_tests() -> None:
    assert (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[2] == "```bash"
    demo, tests = readme_commands()
    assert demo.endswith("appraisal demo")
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_commands()[1] in ci_lines
