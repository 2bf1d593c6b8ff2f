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
	$(PY) -m pip install --quiet -e '.[rl,ray,serve,dev,osm]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m mmroute.demo --out demo-output

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -p no:cacheprovider

# Quality and speed against public instances and peers (needs ../shared/data; ~1.5 h).
bench: $(STAMP)
	$(PY) benchmarks/vrp.py --set x --max-n 200 --limit 6 --time-limit 60 --seed 0
	$(PY) benchmarks/loading.py --classes BR1-BR7 --instances 10 --time-limit 10 --seed 0
	$(PY) benchmarks/plan_scaling.py --time-limit 60 --seed 0
	$(PY) benchmarks/vrptw_exact.py --time-limit 60 --seed 0
	$(PY) benchmarks/cars.py --sizes 50,100,200,400,600 --seeds 0,1 --time-limit 30
	$(PY) benchmarks/env_speed.py --episodes 30 --seed 0
	$(PY) benchmarks/policies.py --seeds 0-29 --jobs 2

clean:
	rm -rf $(VENV) demo-output
