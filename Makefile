# The two commands: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The real OpenID Connect provider the identity tests start (npm oidc-provider, ADR 0021).
OIDC_PROVIDER := tests/oidc_provider
OIDC_STAMP    := $(OIDC_PROVIDER)/node_modules/.installed

.PHONY: demo test lint bench lock clean venv vendor oidc-provider

venv: $(STAMP)

# The venv is built from the hash-pinned lock only; the project itself goes in without deps.
$(STAMP): requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	touch $(STAMP)

# Installed exactly from package-lock.json (npm ci); node 20+ and npm come with the machine.
oidc-provider: $(OIDC_STAMP)

$(OIDC_STAMP): $(OIDC_PROVIDER)/package.json $(OIDC_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --silent
	touch $(OIDC_STAMP)

demo: $(STAMP)
	$(BIN)/hub demo

lint: $(STAMP)
	$(BIN)/ruff check hub connectors tests
	$(BIN)/ruff format --check hub connectors tests
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) $(OIDC_STAMP) lint
	$(BIN)/python -m pytest -m "not slow" tests

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run_all

# Re-lock after changing pyproject.toml. The lock names no download host (see ADR 0001).
lock:
	uv pip compile --python-version 3.11 --generate-hashes --no-header --extra dev pyproject.toml -o requirements-dev.txt
	uv pip compile --python-version 3.11 --generate-hashes --no-header pyproject.toml -o requirements.txt

# Rebuild the vendored browser libraries (ADR 0022): npm installs the versions pinned in
# package-lock.json (it checks each package's integrity hash), and the built file and its licence
# texts are copied into the static files, which are committed, so `make demo` needs no node.
VENDOR := hub/api/static/vendor
vendor:
	npm ci --ignore-scripts
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE
	cp node_modules/echarts/NOTICE $(VENDOR)/echarts.NOTICE
	cp node_modules/echarts/licenses/LICENSE-d3 $(VENDOR)/echarts.LICENSE-d3
	cp node_modules/zrender/LICENSE $(VENDOR)/zrender.LICENSE
	cp node_modules/tslib/LICENSE.txt $(VENDOR)/tslib.LICENSE
	cd $(VENDOR) && sha256sum echarts.min.js > SHA256SUMS

clean:
	rm -rf $(VENV) .hub-data .pytest_cache .mypy_cache .ruff_cache node_modules $(OIDC_PROVIDER)/node_modules
