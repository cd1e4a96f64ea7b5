"""`sim docs WHAT`: rewrite the generated parts of the documents.

`parameters` (the parameter table of docs/ODD.md, from the registry), `outcomes` (the column
dictionary of docs/results.md, from the outcome registry), `map` (docs/route_graph.png) and
`flips` (which assumptions could flip each shipped difference, into docs/calibration.md, from
`sim sensitivity` folders), `assimilation` (the study of the update on synthetic truths, into
docs/during_the_action.md, from a `sim assimilate --study` folder) and `reference` (the README's
reference section, from the table.md `sim reference` wrote). Tests fail when a generated part is
stale.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("docs", help="rewrite the generated parts of the documents "
                                 "(parameter table, outcome columns, map, flips table, "
                                 "assimilation study, the README's reference section)")
    parts = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    for name, default, help_text in (
            ("parameters", "docs/ODD.md", "the parameter table, from the registry"),
            ("outcomes", "docs/results.md", "the outcome columns, from the outcome registry"),
            ("map", "docs/route_graph.png", "the map of the route graph"),
            ("flips", "docs/calibration.md", "which assumptions could flip each shipped "
             "difference, from `sim sensitivity` folders"),
            ("assimilation", "docs/during_the_action.md", "the study of the update on "
             "synthetic truths, from a `sim assimilate --study` folder"),
            ("reference", "README.md", "the README's reference section, from the table.md of "
             "a `sim reference` folder")):
        part = parts.add_parser(name, help=help_text)
        part.add_argument("--into", type=Path, metavar="FILE", help=f"default: {default}")
        if name == "flips":
            part.add_argument("folders", nargs="+", type=Path, metavar="DIR",
                              help="output folders of `sim sensitivity` runs with a `versus`")
        if name == "assimilation":
            part.add_argument("folder", type=Path, metavar="DIR",
                              help="the output folder of `sim assimilate --study`")
        if name == "reference":
            part.add_argument("--from", dest="source", type=Path, metavar="DIR",
                              default=ROOT / "results" / "reference",
                              help="the `sim reference` folder (default: results/reference)")
        part.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    target = args.into or {"parameters": DOCS / "ODD.md", "outcomes": DOCS / "results.md",
                           "map": DOCS / "route_graph.png", "flips": DOCS / "calibration.md",
                           "assimilation": DOCS / "during_the_action.md",
                           "reference": ROOT / "README.md"}[args.what]
    if args.what == "parameters":
        from sim.scenario.docs import render

        target.write_text(render(target.read_text(encoding="utf-8")), encoding="utf-8")
    elif args.what == "outcomes":
        from sim.runs.results import with_outcomes_section

        target.write_text(with_outcomes_section(target.read_text(encoding="utf-8")),
                          encoding="utf-8")
    elif args.what == "map":
        from sim.geography import load_route_graph
        from sim.geography.map import draw_map

        target.parent.mkdir(parents=True, exist_ok=True)
        draw_map(load_route_graph()).savefig(target, dpi=120)
    elif args.what == "assimilation":
        from sim.inference.assimilation_study import write_study_section
        from sim.runs.layout import ResultsFolderError

        if not (args.folder / "study.json").is_file():
            raise ResultsFolderError(f"no study.json in {args.folder} (run `sim assimilate "
                                     "SCENARIO --study N --out DIR`)")
        write_study_section(target, args.folder)
    elif args.what == "reference":
        from sim.analysis.reference_table import with_reference_section
        from sim.runs.layout import ResultsFolderError

        table = args.source / "table.md"
        if not table.is_file():
            raise ResultsFolderError(f"{args.source} holds no table.md: run sim reference "
                                     "(or sim reference --table-only) first")
        section = table.read_text(encoding="utf-8")
        target.write_text(with_reference_section(target.read_text(encoding="utf-8"), section),
                          encoding="utf-8")
    else:
        from sim.inference.sensitivity import write_flips_section
        from sim.runs.layout import ResultsFolderError

        missing = [str(f) for f in args.folders if not (f / "flips.csv").is_file()]
        if missing:
            raise ResultsFolderError("no flips.csv (run `sim sensitivity` on a config "
                             "with `versus`) in " + ", ".join(missing))
        write_flips_section(target, args.folders)
    print(f"wrote {target}")
    return 0
