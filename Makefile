# Two user commands: `make demo` and `make test`. Both build .venv from scratch when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lab bench golden clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/reportkit demo --out outputs

test: $(STAMP)
	$(BIN)/ruff check reportkit tests scripts benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n auto

# --allow-root: analysts' containers often run as root; --no-browser: headless machines. The URL is printed.
lab: $(STAMP)
	$(BIN)/jupyter lab --allow-root --no-browser --ServerApp.ip=127.0.0.1 notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_excel.py

golden: $(STAMP)
	$(BIN)/python scripts/generate_golden.py

clean:
	rm -rf $(VENV) build *.egg-info
