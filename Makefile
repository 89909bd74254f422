# Two commands a newcomer runs: `make run` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup lint screenshots package clean bench e2e

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[train,dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/ftwizard

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks

# Every wizard page to docs/screenshots/*.png, headless (or under xvfb-run to use X).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(PY) tools/screenshots.py

# The Linux installer, dist/ftwizard_<version>_<arch>.deb (PyInstaller one-folder, no torch);
# Windows and macOS: see packaging/README.md.
PACKAGE_STAMP := $(VENV)/.installed-package
$(PACKAGE_STAMP): $(STAMP)
	$(PY) -m pip install -q -c constraints.txt -e '.[package]'
	touch $(PACKAGE_STAMP)

package: $(PACKAGE_STAMP)
	PYTHON=$(PY) bash packaging/linux/build-deb.sh

# The installed program trains (minutes; not part of `make test`): builds the .deb, unpacks it,
# installs a training runtime from a wheelhouse made from .venv (no network), then trains with
# the installed binary, CLI and GUI path. Last line: `e2e installed train: ok`. packaging/README.md.
e2e: $(PACKAGE_STAMP)
	PYTHON=$(PY) bash packaging/linux/e2e-train.sh

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info
