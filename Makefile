# Two commands do everything on a fresh machine: `make run` and `make test`.
# Both create .venv with Python 3.12+ on first use and install what they need.

VENV      := .venv
PY        := $(VENV)/bin/python
SIM       := $(VENV)/bin/sim
LOCK      := constraints.txt
SCENARIO  ?= scenarios/jad_see_2023.yaml
ARGS      ?=

.PHONY: run test test-fast lint notebooks bench fingerprint dashboard reference calibrate sensitivity \
        sensitivity-differences posterior ensemble during-the-action lock schema \
        clean venv

run: $(VENV)/.installed
	$(SIM) run $(SCENARIO) --force $(ARGS)
	@echo ""
	@echo "sim is installed in $(VENV)/bin. To put it on PATH in this shell:"
	@echo "    source $(VENV)/bin/activate"
	@echo "(or call $(SIM) directly). Next: the quick start in README.md."

test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(ARGS)

test-fast: $(VENV)/.installed-dev
	$(VENV)/bin/pytest -n 2 -m "not slow and not browser" $(ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

# The dev extras (ipykernel, nbclient, nbconvert, ...) run the notebooks into HTML.
notebooks: $(VENV)/.installed-dev
	$(SIM) notebooks --out results/notebooks

bench: $(VENV)/.installed-dev
	$(PY) benchmarks/run.py $(ARGS)

# Refresh tests/fingerprint.json after a deliberate change of mechanism (say why in the commit).
fingerprint: $(VENV)/.installed
	$(PY) tests/fingerprint.py save

dashboard: $(VENV)/.installed-dev
	$(SIM) dashboard $(SCENARIO)

# The shipped scenarios against the baseline, then the README's section copied from its table.md.
# Over the first REFERENCE_MEMBERS members of the ensemble when scenarios/ensemble.csv is built
# (make ensemble), else over 50 posterior draws × 3 replicates; it says which.
REFERENCE_MEMBERS ?= 200
reference: $(VENV)/.installed
	@if [ -f scenarios/ensemble.csv ]; then \
	  echo "make reference: over the ensemble (scenarios/ensemble.csv)"; \
	  $(SIM) reference --out results/reference --ensemble $(REFERENCE_MEMBERS) --replicates 1 \
	    $(ARGS) || exit 1; \
	else \
	  echo "make reference: no scenarios/ensemble.csv (make ensemble builds it): over the posterior"; \
	  $(SIM) reference --out results/reference --posterior 50 --replicates 3 $(ARGS) || exit 1; \
	fi
	$(SIM) docs reference

# The joint calibration (action week + ordinary week, then its refinements; docs/calibration.md):
# copy its fitted.yaml to scenarios/calibrated.yaml and its posterior.csv to
# scenarios/posterior.csv to adopt it.
calibrate: $(VENV)/.installed
	$(SIM) calibrate calibration/joint.yaml --out results/calibration/joint $(ARGS)

# The shipped posterior, rebuilt from the shipped fit's history (no model runs).
posterior: $(VENV)/.installed
	$(SIM) posterior calibration/joint.yaml --calibration calibration/joint_fit \
	  --out scenarios/posterior.csv

# The ensemble: posterior draws x every other registered assumption, kept by history matching
# (docs/calibration.md). Rebuild after a refit; it takes 15-60 minutes on 2 cores.
ensemble: $(VENV)/.installed
	$(SIM) ensemble calibration/ensemble.yaml --out scenarios/ensemble.csv $(ARGS)

# The update during the action scored on 20 synthetic truths held out of the ensemble
# (scenarios/ensemble.csv, its first 100 members), then the table of docs/during_the_action.md.
# About 10 minutes on 2 cores.
during-the-action: $(VENV)/.installed
	$(SIM) assimilate scenarios/jad_see_2023.yaml --study 100 --members 100 \
	  --out results/assimilation_study --force $(ARGS)
	$(SIM) docs assimilation results/assimilation_study

# Which assumptions could flip each shipped difference (docs/calibration.md, generated table).
sensitivity-differences: $(VENV)/.installed
	for config in calibration/differences/*.yaml; do \
	  $(SIM) sensitivity $$config --out results/sensitivity/difference_$$(basename $$config .yaml) \
	    --force --quiet || exit 1; done
	$(SIM) docs flips results/sensitivity/difference_*

sensitivity: $(VENV)/.installed
	$(SIM) sensitivity calibration/sensitivity.yaml $(ARGS)

schema: $(VENV)/.installed
	$(SIM) schema --out scenarios/scenario.schema.json

venv: $(VENV)/.installed

$(VENV)/bin/python:
	@interpreter=$$(tools/find-python) || exit 1; \
	echo "creating $(VENV) with $$interpreter"; \
	"$$interpreter" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml $(LOCK)
	$(PY) -m pip install --quiet -c $(LOCK) -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	@touch $@

# Regenerate the constraints file from the current dev environment (exact versions).
lock: $(VENV)/.installed-dev
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e' > $(LOCK)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
