# Sandogh — the two commands of the README, and their parts.
#   make demo   set everything up and serve the demo at http://127.0.0.1:5000
#   make test   install the test dependencies and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: WeasyPrint's libraries for the app; hledger, poppler and Chromium
# (driven by Playwright, never downloaded by it) for the tests.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_DEBS    := hledger poppler-utils chromium

# The Persian font of the app and the PDFs: Vazirmatn (SIL OFL) from the npm registry,
# fetched once at set-up (never at run time: the app works offline).
FONT_VERSION := 33.0.3
FONT_DIR     := reports/fonts
FONTS        := $(FONT_DIR)/.vazirmatn-$(FONT_VERSION)

.PHONY: demo test lint pytest system-packages test-system-packages bench clean fonts

demo: system-packages $(VENV)/.runtime $(FONTS)
	$(BIN)/sandogh demo --host $(HOST) --port $(PORT)

test: test-system-packages $(VENV)/.test $(FONTS) lint pytest

pytest: $(VENV)/.test
	$(BIN)/pytest

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.runtime
	$(BIN)/sandogh bench ledger

fonts: $(FONTS)

$(FONTS):
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory _debs DEBS=npm
	@tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent vazirmatn@$(FONT_VERSION) >/dev/null && \
	   tar xzf vazirmatn-$(FONT_VERSION).tgz package/OFL.txt \
	     package/fonts/ttf/Vazirmatn-Regular.ttf package/fonts/ttf/Vazirmatn-Bold.ttf) && \
	  cp $$tmp/package/fonts/ttf/Vazirmatn-Regular.ttf $$tmp/package/fonts/ttf/Vazirmatn-Bold.ttf \
	    $(FONT_DIR)/ && \
	  cp $$tmp/package/OFL.txt $(FONT_DIR)/Vazirmatn-OFL.txt && rm -rf $$tmp
	@touch $@

system-packages:
	@$(MAKE) --no-print-directory _debs DEBS="$(RUNTIME_DEBS) $(if $(shell $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo no),python3-venv,)"

test-system-packages: system-packages
	@$(MAKE) --no-print-directory _debs DEBS="$(TEST_DEBS)"

# Install the Debian packages of DEBS that are missing (nothing to do when all are there).
_debs:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	$(BIN)/pybabel -q compile -d web/translations
	@touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pybabel -q compile -d web/translations
	@touch $@ $(VENV)/.runtime

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
