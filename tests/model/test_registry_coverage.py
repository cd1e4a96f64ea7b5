"""Every number that decides a mechanism is a registered parameter with a plausible range.

The rule, applied to the source of every module of `sim/model/` and to the module-level
assignments (the tables) of `sim/scenario/parameters.py`: each int or float literal (not a
boolean, not text) must be

- 0 or 1 (with unary minus: -1), which count and compare rather than decide;
- an index: a literal inside the brackets of a subscript or slice (`x[2]`, `a[:, 3]`);
- a unit conversion: a value of UNITS (24 hours a day, 7 days a week, 60 minutes an hour, 3600
  seconds an hour, 1000 of a thousand) as an operand of * / // % or an argument of a call
  (`hours / 24`, `np.zeros((n, 24))`); elsewhere (`X = 60.0`, `t + 24.0`) it counts;
- a numerical tolerance: a magnitude below 1e-5;
- in ALLOWED for its module and scope (the enclosing class or function, or at module level the
  name assigned), with the reason it is not a model assumption (array shapes, enum codes,
  cache sizes, the Earth's radius, a numerical scheme), or
- inside an assignment to a table named in TABLES, data whose source the module states.

Anything else fails, named by file:line and value: make it a field of
`sim.scenario.parameters.Parameters` (`par(..., plausible=(low, high))`) and read it from
`model.parameters`, or, if it truly is structural, add it to ALLOWED with its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.scenario.parameters import Parameters, plausible_range

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "sim" / "model"
PARAMETERS = ROOT / "sim" / "scenario" / "parameters.py"

UNITS = {24, 7, 60, 3600, 1000}  # hours/day, days/week, minutes/hour, seconds/hour, thousand
TOLERANCE = 1e-5  # smaller magnitudes are numerical tolerances (1e-6, 1e-9, 1e-12)

# (module, scope, value): why that literal is not a mechanism constant. `scope` is the class or
# function it sits in (`Class.method`), or at module level the name assigned, so a new constant
# elsewhere in the same module is not covered.
SHAPE = "array shape or index arithmetic: 2 sides of a crossing, 2 directions, 3 classes"
CACHE = "size of a cache of computed results"
ALLOWED: dict[tuple[str, str, float], str] = {
    **{("agents.py", "MovementState", code): "MovementState enum code" for code in (2, 3, 4, 5, 6)},
    ("shifts.py", "ShiftPattern", 8): "a shift's default length in hours (each unit's shift "
    "comes from the scenario's postings)",
    ("agents.py", "ScanningTeam.__init__", 24): "a shift of a whole day (24 hours)",
    ("checks.py", "_checked", 6): "uniforms a check consumes, to keep random streams in step",
    ("checks.py", "_equipment", 3): "uniforms the equipment draws, to keep streams in step",
    ("criminal.py", "UNIFORMS_PER_MOVEMENT", 32): "buffer of uniforms drawn per movement",
    ("criminal.py", "RoutePlanner.__init__", 4096): CACHE,
    ("criminal.py", "_cumulative", 256): CACHE,
    ("criminal.py", "_corridors_of", 64): CACHE,
    ("crossings.py", "CLASS_OF_MOVEMENT", 2): "vehicle class index (lorry)",
    ("crossings.py", "CrossingState.__init__.column", 3): SHAPE,
    ("crossings.py", "CrossingState.__init__", 2): SHAPE,
    ("crossings.py", "CrossingState.__init__", 3): SHAPE,
    ("crossings.py", "CrossingState.__init__", 6): SHAPE,
    ("crossings.py", "CrossingState._arrivals", 2): "axis numbers of a 3-d array",
    ("crossings.py", "CrossingState._allocate", 6): SHAPE,
    ("crossings.py", "CrossingState.expected_shares", 25): "range bound: the next 24 hours",
    ("crossings.py", "CrossingState.hour", 2): SHAPE,
    ("crossings.py", "CrossingState.hour", 3): SHAPE,
    ("crossings.py", "CrossingState._closed_hour", 0.5): "the middle of the hour: mean wait of "
    "a vehicle arriving within it",
    ("crossings.py", "CrossingState.wait_columns", 3): SHAPE,
    ("crossings.py", "_adjoining_sectors", 2): "squares of a distance",
    ("invariants.py", "check_capacity", 2): SHAPE,
    ("invariants.py", "_check_booths", 2): SHAPE,
    ("invariants.py", "_check_booths", 3): SHAPE,
    ("invariants.py", "check_detections", 2): SHAPE,
    ("invariants.py", "_check_tally_against_events", 2): "axis number of a 3-d array",
    ("invariants.py", "check_information", 2.0): "two national hops on every relay path",
    ("mechanisms.py", "traffic_rhythms", 16): CACHE,
    ("model.py", "replicate_seed", 2): "2**63: the range of a seed",
    ("model.py", "replicate_seed", 63): "2**63: the range of a seed",
    ("model.py", "JointActionModel.__init__", 2): "stacklevel of a warning",
    ("outcomes.py", "Tally.totals", 2): "axis numbers of a 3-d array",
    ("perception.py", "CheckPressure.__init__", 32): CACHE,
    ("perception.py", "watch", 2): "two uniforms drawn at once",
    ("queueing.py", "_GRID", 4097): "points of a tabulated inverse (numerical grid)",
    ("queueing.py", "_FINE", 40_000): "points of the utilisation grid (numerical grid)",
    ("queueing.py", "erlang_b", 6.0): "standard deviations of the load beyond which blocking "
    "is below 1e-9 (numerical truncation)",
    ("queueing.py", "erlang_b", 2): "array padding",
    ("queueing.py", "allen_cunneen_wait", 2): "(1 + cv**2) / 2: the Allen-Cunneen formula",
    ("queueing.py", "stationary_number", 2): "(1 + cv**2) / 2: the Allen-Cunneen formula",
    ("queueing.py", "fluid_table", 8): CACHE,
    ("queueing.py", "fluid_table", 4): "exponent of the utilisation grid's spacing (numerical)",
    **{("queueing.py", "STEPS", step): "sub-steps of the hour's numerical integration"
       for step in (0.45, 0.7, 4, 8)},
    ("queueing.py", "fluid_hour", 2.0): "the trapezoid rule's h / 2",
    ("queueing.py", "_utilisation", 2): "last index of a grid",
    ("sides.py", "SIDES", 2): "two sides to a crossing",
    ("sides.py", "SidePlan.side", 2): SHAPE,
    ("sides.py", "side_plan", 2): SHAPE,
    ("sides.py", "_km", 2): "the haversine formula's halves and squares",
    ("sides.py", "_km", 6371.0): "the Earth's mean radius in km (physical constant)",
    ("staffing.py", "staffing_of", 32): CACHE,
    ("staffing.py", "closed_crossing_notes", 2): SHAPE,
    ("staffing.py", "_hour_ranges", 23): "the last hour of the day (a shift over midnight)",
}

# (module, name): tables kept as data, with the source their module states beside them.
TABLES: dict[tuple[str, str], str] = {
    ("mechanisms.py", "DAILY_RHYTHM"): "hourly shares of a day's traffic (assumption: the "
    "shape of counts at European motorway crossings), stated in the module",
    ("mechanisms.py", "CLASS_RHYTHM"): "hourly shares by vehicle class (assumption stated)",
    ("mechanisms.py", "WEEKDAY_FACTOR"): "day-of-week factors by class, normalised to mean 1 "
    "(assumption stated: weekend lorry bans)",
    ("parameters.py", "MOVEMENT_KINDS"): "modus operandi by crime area (EU Drug Markets Report "
    "2019, Europol, Frontex; relative weights)",
    ("parameters.py", "CONCEALMENT_MIX"): "concealment by crime area (same sources; relative "
    "weights)",
    ("parameters.py", "MAPPING_LIMITS"): "validation limits (what the model can take at all), "
    "not values it uses",
}


def _is_number(node: ast.AST) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
            and not isinstance(node.value, bool))


CONVERSIONS = (ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)


def _literals(source: str, module: str) -> Iterator[tuple[int, str, float, bool]]:
    """(line, scope, value, converts) of the literals the rule looks at: not in an index nor
    in a table of TABLES. `scope` is the enclosing class or function (`Class.method`), or at
    module level the name assigned; `converts` is true for an operand of * / // % or an
    argument of a call or in a tuple that is one (how a unit conversion or an array of a
    day's 24 hours appear)."""
    def visit(node: ast.AST, scope: str, parent: ast.AST | None, above: ast.AST | None):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scope = f"{scope}.{node.name}" if scope else node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(parent, ast.Module):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if any((module, name) in TABLES for name in names):
                return
            scope = names[0] if names else scope
        elif _is_number(node):
            converts = ((isinstance(parent, ast.BinOp) and isinstance(parent.op, CONVERSIONS))
                        or isinstance(parent, ast.Call | ast.keyword)
                        or (isinstance(parent, ast.Tuple)
                        and isinstance(above, ast.Call | ast.keyword)))
            yield node.lineno, scope, node.value, converts
            return
        for field, child in ast.iter_fields(node):
            if isinstance(node, ast.Subscript) and field == "slice":
                continue  # an index
            for item in child if isinstance(child, list) else [child]:
                if isinstance(item, ast.AST):
                    yield from visit(item, scope, node, parent)

    yield from visit(ast.parse(source), "", None, None)


def unregistered_literals(source: str, module: str, tables_only: bool = False,
                          allowed: dict[tuple[str, str, float], str] | None = None
                          ) -> list[tuple[int, str, float]]:
    """(line, scope, value) of every literal in `source` that the rule above does not allow;
    `tables_only` looks at module-level assignments only (parameters.py); `allowed` replaces
    ALLOWED."""
    allowed = ALLOWED if allowed is None else allowed
    found = []
    for line, scope, value, converts in _literals(source, module):
        if tables_only and (not scope or scope.split(".")[0] in _defined(source)):
            continue
        if (value in (0, 1) or (value in UNITS and converts) or abs(value) < TOLERANCE
                or (module, scope, value) in allowed):
            continue
        found.append((line, scope, value))
    return sorted(found)


def _defined(source: str) -> set[str]:
    """Names of the classes and functions a module defines at its top level."""
    return {s.name for s in ast.parse(source).body
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def test_every_mechanism_constant_is_a_registered_parameter():
    found = [f"sim/model/{path.name}:{line} ({scope}): {value!r}"
             for path in sorted(MODEL.glob("*.py"))
             for line, scope, value in unregistered_literals(path.read_text(), path.name)]
    found += [f"sim/scenario/parameters.py:{line} ({scope}): {value!r}"
              for line, scope, value in unregistered_literals(PARAMETERS.read_text(),
                                                              "parameters.py", tables_only=True)]
    assert not found, ("numbers that decide a mechanism but are not registered parameters "
                       "(make each a `par(..., plausible=...)` field of Parameters, or allow "
                       "it in this test with its reason):\n" + "\n".join(found))


def test_the_scan_flags_a_new_constant_and_passes_structural_ones():
    source = (
        "SOMETHING = 0.37\n"
        "PENALTY = 60.0\n"
        "SHAPE = {'a': 0.2}\n"
        "def f(x, hours):\n"
        "    y = x[2] + hours / 24 + x * 1e-9 + 1 + 24.0 + len(range(24))\n"
        "    return y * 1.5\n"
    )
    assert unregistered_literals(source, "criminal.py") == [
        (1, "SOMETHING", 0.37), (2, "PENALTY", 60.0), (3, "SHAPE", 0.2), (5, "f", 24.0),
        (6, "f", 1.5)]
    assert unregistered_literals("SIDES = 2\n", "sides.py") == []  # allowed there
    assert unregistered_literals("HALF = 2\n", "sides.py") == [(1, "HALF", 2)]  # not this
    assert unregistered_literals("CONCEALMENT_MIX = {'a': {'b': 0.3}}\nX = 0.4\n",
                                 "parameters.py", tables_only=True) == [(2, "X", 0.4)]
    assert unregistered_literals("def f():\n    return 0.4\nclass P:\n    x = 0.3\n",
                                 "parameters.py", tables_only=True) == []  # not tables


def _module_names(source: str) -> set[str]:
    """Names a module assigns at its top level."""
    names = set()
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = (statement.targets if isinstance(statement, ast.Assign)
                       else [statement.target])
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_every_allowance_is_still_needed():
    """An allowance whose literal left its module is removed, so the list stays exact."""
    used = {(path.name, scope, value) for path in MODEL.glob("*.py")
            for _, scope, value in unregistered_literals(path.read_text(), path.name,
                                                         allowed={})}
    tables = {(path.name, name) for path in [*MODEL.glob("*.py"), PARAMETERS]
              for name in _module_names(path.read_text())}
    assert sorted(set(ALLOWED) - used) == []
    assert sorted(set(TABLES) - tables) == []
    assert all(reason.strip() for reason in [*ALLOWED.values(), *TABLES.values()])


# The constants registered when this test was written (they were module constants of
# sim/model/), with the value they had: the defaults must keep them.
REGISTERED = {
    "crossing_penalty_on_foot_hours": 60.0,  # criminal.py CROSSING_PENALTY_ON_FOOT
    "avoid_penalty_hours": 500.0,  # criminal.py AVOID_PENALTY
    "second_crew_probability": 0.4,  # criminal.py: crew = 1 + (u < 0.4)
    "drug_load_sigma": {"heroin": 1.2, "cocaine": 1.4, "cannabis": 1.0, "synthetic": 1.0},
    "synthetic_kg_median": 2.0,  # criminal.py and premises.py: .get(drug, 2.0)
    "parcel_load_factor": 0.05,
    "container_load_factor": 4.0,
    "forged_documents_per_carrier": 0.5,
    "high_risk_weapon_probability": 0.3,
    "high_risk_drugs_probability": 0.4,  # criminal.py and premises.py
    "high_risk_cannabis_kg_median": 1.0,
    "alternative_route_probability": 0.3,  # criminal.py choose_route
    "adaptation_delay_hours": 24.0,  # criminal.py react: 24 + 24 u
    "premises_stock_share": 0.5,  # premises.py: median / 2
    "premises_stock_sigma": 1.0,
    "high_risk_premises_weapons_mean": 1.0,
    "high_risk_premises_cannabis_kg_median": 0.3,
    "traffic_following_share": 0.5,  # crossings.py TRAFFIC_FOLLOWING_SHARE
    "night_start_hour": 20,  # mechanisms.py NIGHT_HOURS, night_wait's 20:00
    "night_end_hour": 6,
    "arrive_after_dark_hour": 21,  # perception.py ARRIVE_AFTER_DARK
    "reattempt_delay_shape": 2.0,  # reattempts.py DELAY_SHAPE
    "bulk_concealment": {"professional": 0.5, "structural": 0.5},  # shipments.py
    "detour_kmh": 70.0,  # sides.py DETOUR_KMH
    "detour_road_factor": 1.2,  # sides.py ROAD_FACTOR
    "traffic_rhythm_amplitude": 1.0,  # mechanisms.py DAILY_RHYTHM, CLASS_RHYTHM as they are
    "weekday_amplitude": 1.0,  # mechanisms.py WEEKDAY_FACTOR as it is
}


@pytest.mark.parametrize("name", sorted(REGISTERED))
def test_a_registered_constant_keeps_its_value_and_has_a_plausible_range(name):
    field = Parameters.model_fields[name]
    assert field.default == REGISTERED[name]
    extra = field.json_schema_extra
    assert isinstance(extra, dict) and extra["unit"] and extra["source"]
    ranges = extra.get("plausible")
    if isinstance(ranges, dict):
        assert ranges and all(plausible_range(field, entry) for entry in ranges)
    else:  # one range: of the value, or of a mapping's multiplier (1 is its default)
        low, high = plausible_range(field)
        assert low <= (1.0 if isinstance(field.default, dict) else field.default) <= high
