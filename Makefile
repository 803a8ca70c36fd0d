# Everything installs from pinned versions into this folder: .venv (Python, requirements.lock),
# node_modules (the CDK CLI, package-lock.json) and .tools/node (a Node that jsii supports, from the npm
# registry, used only where the machine's Node is older than NODE_MIN).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NODE_MIN := 22
NODE_VERSION := 22.23.5
NODE_PKG := node-linux-$(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x64)
export PATH := $(CURDIR)/.tools/node/bin:$(PATH)

.PHONY: setup demo synth lint test test-fast bench wheel clean
.DEFAULT_GOAL := test

setup: $(VENV)/.installed node_modules/.installed .tools/.node-checked

$(VENV)/.installed: requirements.lock pyproject.toml
	@echo "Installing the pinned Python packages into $(VENV) (the first time about 80 s: aws-cdk-lib, moto, mypy...)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "Installing the pinned CDK CLI into node_modules (the first time about 10 s)"
	npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	touch $@

# jsii (under aws-cdk-lib) wants Node 22 or 24: bring one from the npm registry when the machine's is older.
.tools/.node-checked:
	@mkdir -p .tools
	@major=$$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0); \
	if [ "$$major" -lt $(NODE_MIN) ] && [ ! -x .tools/node/bin/node ]; then \
	  echo "Node $$major is older than $(NODE_MIN): installing $(NODE_PKG)@$(NODE_VERSION) into .tools/node"; \
	  npm install --no-save --no-audit --no-fund --no-update-notifier --loglevel=error --prefix .tools/pkg $(NODE_PKG)@$(NODE_VERSION); \
	  mkdir -p .tools/node/bin; \
	  ln -sf ../../pkg/node_modules/$(NODE_PKG)/bin/node .tools/node/bin/node; \
	fi
	@echo "jsii runs on Node $$(node --version)"
	@touch $@

synth: setup
	npx --no-update-notifier cdk synth --quiet

demo: synth
	$(PY) -m cognito_sms_mfa_rehearsal --cycle cdk.out

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@[ -d .mypy_cache ] || echo "mypy: the first run reads aws-cdk-lib's type information (about 45 s; later runs use .mypy_cache)"
	$(VENV)/bin/mypy infra lambda_src emulator rehearsal cli tests bench

test: setup lint
	$(VENV)/bin/pytest

# The wheel to install into your own app: pip install "dist/cdk_cognito_sms_mfa-<version>-py3-none-any.whl[local]"
wheel: setup
	rm -rf build dist
	$(PY) -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w dist .
	@ls dist/*.whl

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf cdk.out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
