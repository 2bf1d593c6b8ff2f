# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv if it is
# missing and installs what it needs; a second run reuses the venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch must come first, or stable-baselines3 pulls a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: demo test bench lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[rl,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m mmroute.demo --out demo-output

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) demo-output
