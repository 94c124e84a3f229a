# The two commands of the README: `make demo` and `make test`.
# Both create the virtual environment and install everything on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR := demo

.PHONY: demo test venv bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	mkdir -p $(DEMO_DIR)
	$(BIN)/scrutiny --db sqlite:///$(DEMO_DIR)/scrutiny.sqlite3 --key $(DEMO_DIR)/scrutiny.key demo

test: $(STAMP) chromium
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The web app's end-to-end test drives Debian's headless Chromium (it fails,
# never skips, without it): installed here when missing, so that `make test`
# does all its set-up on a fresh machine.
chromium:
	@command -v chromium >/dev/null || { echo "installing Chromium for the browser test (apt-get)" >&2; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "make test: the browser test needs Chromium; install it with: apt-get install chromium" >&2; exit 1; }

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .hypothesis
