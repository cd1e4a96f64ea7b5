"""Where the project's files are, for tests in any layer folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "jad_see_2023.yaml"
