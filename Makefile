# Quick start:   make lab    (creates .venv if needed, opens JupyterLab on notebooks/)
#                make test   (creates .venv if needed, runs the whole test suite)
# Override the torch requirement, e.g. CPU-only:  make test TORCH_SPEC=torch==2.13.0
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
TORCH_SPEC ?= torch
PY := $(VENV)/bin/python
STAMP := $(VENV)/.lt_causal-installed

.PHONY: lab test test-fast env clean-env

env: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# LT_CAUSAL_QUICK=1: notebooks and CLI runs use their small "quick mode" configurations.
test: $(STAMP)
	LT_CAUSAL_QUICK=1 $(PY) -m pytest tests

test-fast: $(STAMP)
	LT_CAUSAL_QUICK=1 $(PY) -m pytest tests -m "not browser and not notebook"

clean-env:
	rm -rf $(VENV)
