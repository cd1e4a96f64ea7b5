"""The registry is the one place plausible ranges live (issue 32, item 1).

Calibration priors, sensitivity designs and the ensemble read a parameter's range from
`sim/scenario/parameters.py` (`par(..., plausible=...)`); a config that writes a range of its own
for a registered parameter fails here. A refinement's window (a narrower search after the main
fit) may name one, but only inside the registered range.
"""

from __future__ import annotations

import pytest
import yaml
from project import ROOT

from sim.inference.experiments import ConfigError, FreeParameter
from sim.inference.sensitivity import load_config
from sim.scenario.parameters import Parameters, par
from sim.scenario.ranges import registered_range, registered_ranges

CONFIG_FOLDERS = ("calibration", "optimise")


def _entries(document: dict) -> list[tuple[str, dict]]:
    """(where, entry) of every parameter entry of a config: the main list and each refinement's."""
    found = [("parameters", e) for e in document.get("parameters") or [] if isinstance(e, dict)]
    for stage in document.get("refine") or []:
        found += [(f"refine {stage.get('name')}", e) for e in stage.get("parameters") or []]
    return found


def test_no_config_writes_a_range_the_registry_holds():
    problems = []
    for folder in CONFIG_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for where, entry in _entries(document):
                found = registered_range(str(entry.get("path", "")))
                if found is None or not {"low", "high"} & set(entry):
                    continue
                inside = found.low <= entry.get("low", found.low) and entry.get(
                    "high", found.high) <= found.high
                if not where.startswith("refine") or not inside:
                    problems.append(f"{path.relative_to(ROOT)} ({where}): {entry['path']} "
                                    f"{entry.get('low')}-{entry.get('high')}; the registry "
                                    f"holds {found.describe()}")
    assert not problems, ("ranges outside the registry (leave low/high out, or change "
                          "plausible= in sim/scenario/parameters.py with its source):\n"
                          + "\n".join(problems))


def test_a_path_without_a_range_gets_the_registered_one():
    relay = FreeParameter(path="parameters.relay_delay_without_centre_hours")
    assert (relay.low, relay.high, relay.log, relay.scale) == (8.0, 168.0, True, False)
    networks = FreeParameter(path="parameters.networks")
    assert networks.scale and (networks.low, networks.high) == (0.5, 2.0)
    assert networks.label == "parameters.networks:scale"
    one_area = FreeParameter(path="parameters.networks.thb")
    assert one_area.scale and (one_area.low, one_area.high) == (0.5, 2.0)
    trips = FreeParameter(path="parameters.movements_per_network.drug_trafficking")
    assert trips.scale and (trips.low, trips.high) == (0.4, 2.5)
    explicit = FreeParameter(path="parameters.lead_precision", low=0.3, high=0.4)
    assert (explicit.low, explicit.high) == (0.3, 0.4)  # tests and one-off studies still may


@pytest.mark.parametrize(("entry", "message"), [
    ({"path": "parameters.evidence_per_hit"}, "registers no plausible range"),
    ({"path": "parameters.lead_precision", "low": 0.2}, "both low and high"),
    ({"path": "parameters.relay_delay_without_centre_hours", "log": False}, "log: true"),
    ({"path": "parameters.networks", "scale": False}, "scale: true"),
])
def test_a_missing_or_contradicted_range_is_named(entry, message):
    with pytest.raises(ValueError, match=message):
        FreeParameter.model_validate(entry)


def test_a_sensitivity_config_reads_its_ranges_from_the_registry(tmp_path):
    config = tmp_path / "sensitivity.yaml"
    config.write_text(f"scenario: {ROOT / 'scenarios' / 'jad_see_2023.yaml'}\n"
                      "outcomes: [cases_opened]\n"
                      "parameters:\n"
                      "  - {path: parameters.relay_probability_without_centre}\n"
                      "  - {path: parameters.thermal_vision_km}\n", encoding="utf-8")
    loaded, _ = load_config(config)
    assert [(p.low, p.high, p.log) for p in loaded.parameters] == [(0.2, 0.7, False),
                                                                   (5.0, 40.0, True)]
    config.write_text(config.read_text().replace("thermal_vision_km", "evidence_per_hit"))
    with pytest.raises(ConfigError, match="evidence_per_hit"):
        load_config(config)


def test_every_fitted_parameter_has_a_range_with_its_source():
    document = yaml.safe_load((ROOT / "calibration" / "joint.yaml").read_text())
    for entry in document["parameters"]:
        found = registered_range(entry["path"])
        assert found is not None and found.source, entry["path"]


def test_the_registry_refuses_a_range_that_leaves_out_the_default_or_is_empty():
    with pytest.raises(ValueError, match="outside its plausible range"):
        par(5.0, "hours", "assumption", "test", plausible=(1.0, 4.0))
    with pytest.raises(ValueError, match="is empty"):
        par(1.0, "hours", "assumption", "test", plausible=(1.0, 1.0))
    with pytest.raises(ValueError, match="log range needs low > 0"):
        par(1.0, "hours", "assumption", "test", plausible=(0.0, 2.0), log=True)
    with pytest.raises(ValueError, match="need a mapping"):
        par(1.0, "hours", "assumption", "test", plausible={"car": (0.5, 2.0)})


def test_registered_ranges_list_the_model_parameters_not_the_levers():
    paths = [r.path for r in registered_ranges("parameters.")]
    assert "parameters.relay_probability_without_centre" in paths
    assert "intelligence.coverage" not in paths  # a planner's lever with a range
    assert registered_range("intelligence.coverage") is not None
    for found in registered_ranges():
        assert found.low < found.high and found.coordinate(found.low) == pytest.approx(0)
        assert found.value_at(1.0) == pytest.approx(found.high)
    assert all(name in Parameters.model_fields for name in
               (p.split(".")[1] for p in paths))
