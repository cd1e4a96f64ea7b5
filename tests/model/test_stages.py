"""The hour as declared stages: the model runs them in order, and docs/ODD.md lists them."""

from __future__ import annotations

import re

from project import ROOT

from sim.model import JointActionModel
from sim.model.model import Stage

ODD = ROOT / "docs" / "ODD.md"


def process_order(text: str) -> list[str]:
    """The names in bold that start the numbered items of section 3 of an ODD text, checked to
    be numbered 1, 2, 3, ..."""
    section = text.split("## 3. Process overview and scheduling", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^(\d+)\. \*\*(.+?)\*\*", section, flags=re.MULTILINE)
    assert [int(number) for number, _ in items] == list(range(1, len(items) + 1)), items
    return [name for _, name in items]


def stage_names(model: JointActionModel) -> list[str]:
    return [stage.name for stage in model.stages]


def test_odd_lists_the_stages_of_an_hour_in_the_models_order():
    names = stage_names(JointActionModel(rng=0, action__days=1))
    assert len(names) == len(set(names)) >= 6
    listed = process_order(ODD.read_text(encoding="utf-8"))
    assert [name.casefold() for name in listed] == names


def test_the_order_check_fails_when_two_stages_are_swapped():
    text = ODD.read_text(encoding="utf-8")
    swapped = (text.replace("1. **Officers on duty**", "1. **Border crossings**", 1)
               .replace("2. **Border crossings**", "2. **Officers on duty**", 1))
    names = stage_names(JointActionModel(rng=0, action__days=1))
    assert [name.casefold() for name in process_order(swapped)] != names


def test_step_runs_every_stage_once_an_hour_in_the_declared_order():
    model = JointActionModel(rng=0, action__days=1)
    ran: list[str] = []

    def recorded(stage: Stage) -> Stage:
        def run() -> None:
            ran.append(stage.name)
            stage.run()
        return Stage(stage.name, run)

    model.stages = tuple(recorded(stage) for stage in model.stages)
    model.step()
    model.step()
    assert ran == 2 * stage_names(model)


def test_the_invariants_are_checked_last_only_when_asked_for():
    checked = stage_names(JointActionModel(rng=0, action__days=1, check_invariants=True))
    assert checked == [*stage_names(JointActionModel(rng=0, action__days=1)), "invariants hold"]
