# Quick start:   make lab    (creates .venv if needed, opens JupyterLab on notebooks/)
#                make test   (creates .venv if needed, runs the whole test suite)
# No NVIDIA GPU? Install the CPU build of torch (about 200 MB instead of several GB):
#                make lab TORCH_INDEX=https://download.pytorch.org/whl/cpu
# Pin a torch version:  make test TORCH_SPEC=torch==2.13.0   (a changed TORCH_SPEC / TORCH_INDEX reinstalls torch)
# JupyterLab options:   make lab LAB_ARGS="--port 9999 --no-browser"   (--allow-root is added when run as root)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
TORCH_SPEC ?= torch
TORCH_INDEX ?=
LAB_ARGS ?=
USER_ID ?= $(shell id -u)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.lt_causal-installed
# JupyterLab settings of this environment: widget comms stay on the kernel's main shell (no
# control-channel subshell request that makes the status bar read "Idle" while a cell trains)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# One stamp per torch request: a different TORCH_SPEC or TORCH_INDEX has no stamp yet, so torch is
# reinstalled (--force-reinstall: the CPU and CUDA builds of one version have the same version number).
TORCH_ID := $(shell printf '%s|%s' '$(TORCH_SPEC)' '$(TORCH_INDEX)' | cksum | cut -d' ' -f1)
TORCH_STAMP := $(VENV)/.torch-$(TORCH_ID)
TORCH_INDEX_ARG := $(if $(strip $(TORCH_INDEX)),--index-url $(TORCH_INDEX),)
ALLOW_ROOT := $(if $(filter 0,$(USER_ID)),--allow-root,)

.PHONY: lab test test-fast env clean-env notebooks check-notebooks results

env: $(STAMP) $(LAB_SETTINGS)

$(LAB_SETTINGS): jupyter/overrides.json | $(PY)
	mkdir -p $(dir $@)
	cp jupyter/overrides.json $@

$(PY):
	@echo "==> [1/3] creating $(VENV) with $(PYTHON) and upgrading pip"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip

$(TORCH_STAMP): | $(PY)
	@echo "==> [2/3] installing $(TORCH_SPEC) $(TORCH_INDEX_ARG) (the CPU wheel is a few hundred MB, the CUDA build several GB)"
	rm -f $(VENV)/.torch-*
	$(PY) -m pip install --force-reinstall --no-deps $(TORCH_INDEX_ARG) "$(TORCH_SPEC)"
	$(PY) -m pip install $(TORCH_INDEX_ARG) "$(TORCH_SPEC)"
	touch $@

$(STAMP): pyproject.toml $(TORCH_STAMP)
	@echo "==> [3/3] installing lt_causal with its notebook and test dependencies"
	$(PY) -m pip install -e ".[test]"
	touch $(STAMP)

lab: $(STAMP) $(LAB_SETTINGS)
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS) notebooks/

# LT_CAUSAL_QUICK=1: notebooks and CLI runs use their small "quick mode" configurations.
test: $(STAMP) $(LAB_SETTINGS)
	LT_CAUSAL_QUICK=1 $(PY) -m pytest tests

test-fast: $(STAMP)
	LT_CAUSAL_QUICK=1 $(PY) -m pytest tests -m "not browser and not notebook"

clean-env:
	rm -rf $(VENV)

# one source for both editions: the exercise sections and notebooks/zh/ from the English notebooks,
# notebooks/translations/*.zh.md and the exercise registry (tools/notebooks.py)
notebooks: $(STAMP)
	$(PY) tools/notebooks.py build

check-notebooks: $(STAMP)
	$(PY) tools/notebooks.py check

# the measured blocks of docs/results.md (+ docs/images/table3_gain.png, from the shipped packs and
# docs/measurements) and of benchmarks/README.md (from the bench records in docs/measurements)
results: $(STAMP)
	$(PY) tools/results.py build
	$(PY) tools/benchmarks.py build
