"""The interactive dashboard: the SolaraViz page (`app`), its drawings on real coordinates
(`figures`) and the offline server (`server`) with its vendored browser files (`assets/`). May
import everything below it in the pipeline; nothing imports it but the CLI.
"""
