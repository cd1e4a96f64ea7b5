"""The `sim` command's sub-commands: one module each, with `register(commands)` (its options)
and `main(args) -> int` (its handler). A command parses, calls the library and prints; the work
itself lives in the library packages, none of which imports argparse or this package.

Modules: `common` (argument types, run options, notes, output checks), `validate`, `run`,
`sweep`, `compare`, `pairing`, `export`, `listing` (`sim list`), `params`, `schema`, `docs`
(generated document sections), `reference`, `notebooks`, `calibrate`, `posterior`,
`sensitivity`, `optimise`, `discover`, `marginal`, `decompose`, `dashboard`.

Imports: any package of `sim`; at module level only what `sim --help` can afford (argparse,
pathlib, `sim.commands.common`): library modules are imported inside `main`.
"""

# the order of `sim --help`
COMMANDS = ("validate", "run", "sweep", "compare", "list", "params", "export", "schema",
            "calibrate", "posterior", "sensitivity", "optimise", "discover", "marginal",
            "decompose", "reference", "pairing", "notebooks", "docs", "dashboard")
MODULES = {"list": "listing"}  # a command whose module is named otherwise
