"""The interactive dashboard: its model and controls (`model`), the page on Mesa's controller
(`app`), its drawings on real coordinates (`figures`) and the offline server (`server`) with its
vendored browser files (`assets/`). May
import everything below it in the pipeline; nothing imports it but the CLI.
"""
