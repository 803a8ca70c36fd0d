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

.PHONY: setup demo synth lint test test-fast bench wheel clean integ
.DEFAULT_GOAL := test

setup: $(VENV)/.installed node_modules/.installed .tools/.node-checked

$(VENV)/.installed: requirements.lock pyproject.toml
	@echo "Installing the pinned Python packages into $(VENV) (the first time about 80 s: aws-cdk-lib, moto, mypy...)"
	$(PYTHON) -m venv $(VENV)
	$(PY) tools/pip_install.py --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "Installing the pinned CDK CLI and integ-runner into node_modules (the first time about 10 s)"
	npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	@$(MAKE) --no-print-directory integ-runner-schema
	touch $@

# integ-runner 2.197.10, the newest release, bundles a cloud-assembly reader that stops at schema 53; aws-cdk-lib
# 2.275.0 writes schema 55, whose additions over 53 are metadata definitions only (policy-validation reports,
# property-mutation metadata, CloudFormation resource JSON). Until a release reads 55, the bundled reader is told
# its revision is 55. The step refuses any other bundle, so a newer integ-runner makes it fail loudly: then remove it.
INTEG_RUNNER_READER := node_modules/@aws-cdk/integ-runner/lib/workers/extract/index.js
.PHONY: integ-runner-schema
integ-runner-schema:
	@if grep -q '^      revision: 55$$' $(INTEG_RUNNER_READER); then exit 0; fi; \
	if [ "$$(grep -c '^      revision: 53$$' $(INTEG_RUNNER_READER))" != 1 ]; then \
	  echo "$(INTEG_RUNNER_READER): expected one 'revision: 53' (integ-runner 2.197.10); remove the integ-runner-schema step if this integ-runner reads schema 55" >&2; \
	  exit 1; \
	fi; \
	sed -i.orig 's/^      revision: 53$$/      revision: 55/' $(INTEG_RUNNER_READER) && rm $(INTEG_RUNNER_READER).orig; \
	echo "integ-runner: its cloud-assembly reader now accepts schema 55 (aws-cdk-lib 2.275.0)"

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
	$(VENV)/bin/cognito-sms-mfa rehearse --cycle cdk.out

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@[ -d .mypy_cache ] || echo "mypy: the first run reads aws-cdk-lib's type information (about 45 s; later runs use .mypy_cache)"
	$(VENV)/bin/mypy infra lambda_src emulator rehearsal cli tests bench tools

test: setup lint
	$(VENV)/bin/pytest

# The integration tests (tests/integ/integ_*.py) against a real AWS account: deploys each app in INTEG_REGIONS with
# the credentials of the environment (AWS_PROFILE...), runs its assertions, updates its snapshot, destroys the stacks.
# Not part of `make test` or CI, which check the snapshots offline (tests/integ/test_snapshots.py). See the README.
INTEG_REGIONS ?= us-east-1
integ: setup
	npx --no-install integ-runner --directory tests/integ --language python --app "$(CURDIR)/$(PY) {filePath}" \
	  --force --update-on-failed $(foreach region,$(INTEG_REGIONS),--parallel-regions $(region)) $(INTEG_ARGS)

# The release artifacts, as an index gets them: the sdist, and the wheel built from it (install the wheel into your
# own app: pip install "dist/cdk_cognito_sms_mfa-<version>-py3-none-any.whl[local]"). --no-isolation: the build
# backend pinned in requirements.lock.
wheel: setup
	rm -rf build dist
	$(PY) -m build --no-isolation --outdir dist .
	$(PY) -m twine check --strict dist/*
	@ls dist/*

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf cdk.out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
