"""`sim pairing BASE_DIR OTHER_DIR`: how much narrower paired intervals are than unpaired."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import fraction


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("pairing", help="how much narrower paired difference "
                                 "intervals are than unpaired ones, by outcome")
    parser.add_argument("base", type=Path, metavar="BASE_DIR")
    parser.add_argument("other", type=Path, metavar="OTHER_DIR")
    parser.add_argument("--level", type=fraction, metavar="L",
                        help="interval level (default 0.9)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    import pandas as pd

    from sim.analysis.compare import pairing_gain
    from sim.runs.results import load
    from sim.runs.statistics import INTERVAL

    level = INTERVAL if args.level is None else args.level
    gain = pairing_gain(load(args.base), load(args.other), level=level)
    with pd.option_context("display.width", 200, "display.max_rows", None,
                           "display.float_format", "{:,.4g}".format):
        print(gain.to_string(index=False))
    ratios = gain["width_ratio"]
    print(f"\npaired ÷ unpaired interval width over {len(gain)} outcomes: median "
          f"{ratios.median():.3f}, range {ratios.min():.3f}–{ratios.max():.3f} "
          f"({gain['n'].iloc[0] if len(gain) else 0} replicates, level {level:.0%})")
    return 0
