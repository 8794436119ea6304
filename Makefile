# scanops.qualys: `make demo` and `make test` are the two commands; the rest are their parts.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD := .build
# ansible-test needs the collection at .../ansible_collections/<namespace>/<name>,
# outside this git work tree (inside it, .gitignore'd paths are skipped).
STAGE_ROOT ?= $(or $(TMPDIR),/tmp)/scanops-qualys-$(shell printf '%s' "$(CURDIR)" | cksum | cut -d' ' -f1)
STAGE := $(STAGE_ROOT)/ansible_collections/scanops/qualys
COLLECTIONS := $(BUILD)/collections
WHEELS := $(BUILD)/wheels
# ansible-test downloads a pip bootstrap script from a host we cannot reach;
# we provide it from the pip wheel on PyPI (pip 24.2 for ansible-core 2.18/2.19).
BOOTSTRAP_PIP := 24.2
BOOTSTRAP_SCRIPT := $(HOME)/.ansible/test/cache/get_pip_$(subst .,_,$(BOOTSTRAP_PIP)).py
PY_VERSION = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PYTEST_WORKERS ?= 2
ARGS ?=

export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS)
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help demo test venv sanity units integration lint docs-lint docs build clean link stage bootstrap-pip bench test-2.21 tenant-check

help:
	@echo "make demo   - set up .venv, start the simulators and run the role end to end (ARGS='--check --diff' to preview)"
	@echo "make test   - set up .venv and run every check (sanity, units, lint, docs, build, end-to-end)"

$(BIN)/.installed: requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(BIN)/.installed

# A symlink for ansible-playbook (edits are live) ...
link:
	@mkdir -p $(COLLECTIONS)/ansible_collections/scanops
	@ln -sfn $(CURDIR) $(COLLECTIONS)/ansible_collections/scanops/qualys

# ... and a real copy for ansible-test, which refuses symlinked trees.
stage:
	@rm -rf $(STAGE) && mkdir -p $(STAGE)
	@git ls-files -z --cached --others --exclude-standard | \
		xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' | \
		tar --null -T - -cf - | tar -xf - -C $(STAGE)
	@# Unit tests read the real Qualys recordings in place from ../shared (a link, never a copy).
	@if [ -d ../shared ]; then ln -sfn $(abspath ../shared) $(STAGE_ROOT)/shared; fi

bootstrap-pip: venv
	@mkdir -p $(WHEELS) $(dir $(BOOTSTRAP_SCRIPT))
	@test -f $(WHEELS)/pip-$(BOOTSTRAP_PIP)-py3-none-any.whl || \
		$(BIN)/python -m pip download --quiet --no-deps --dest $(WHEELS) pip==$(BOOTSTRAP_PIP)
	@printf '%s\n' \
		'# Offline stand-in for ansible-test'"'"'s get-pip script, written by the scanops.qualys Makefile.' \
		'import sys' \
		'sys.path.insert(0, "$(CURDIR)/$(WHEELS)/pip-$(BOOTSTRAP_PIP)-py3-none-any.whl")' \
		'from pip._internal.cli.main import main' \
		'args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]' \
		'sys.exit(main(["install", "--find-links", "$(CURDIR)/$(WHEELS)"] + args))' > $(BOOTSTRAP_SCRIPT)

sanity: venv stage bootstrap-pip
	cd $(STAGE) && $(CURDIR)/$(BIN)/ansible-test sanity --venv --python $(PY_VERSION) --color no $(SANITY_ARGS)

units: venv stage
	cd $(STAGE) && $(CURDIR)/$(BIN)/ansible-test units --local --python $(PY_VERSION) --color no

lint: venv link
	$(BIN)/ansible-lint
	$(BIN)/antsibull-changelog lint

docs-lint: venv link
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck --validate-collection-refs=all --disallow-unknown-collection-refs .

# The collection's HTML docs (modules, lookup, filters, role), as docs.ansible.com renders them:
# .build/docs/build/html/index.html. Warnings fail the build.
DOCS := $(BUILD)/docs
docs: venv link
	@rm -rf $(DOCS) && mkdir -p $(DOCS) && chmod 700 $(DOCS)
	$(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir $(DOCS) scanops.qualys >/dev/null
	@mkdir -p $(DOCS)/rst && chmod 700 $(DOCS)/rst
	$(BIN)/antsibull-docs --config-file $(DOCS)/antsibull-docs.cfg collection --cleanup everything --fail-on-error \
		--use-current --dest-dir $(DOCS)/rst scanops.qualys
	@# Offline: no intersphinx downloads; the Ansible docs labels the module pages link to become a stub page.
	@printf '\n%s\n' 'intersphinx_mapping = {}' >> $(DOCS)/conf.py
	@printf '%s\n' ':orphan:' '' '.. _common_return_values:' '.. _ansible_configuration_settings:' '.. _action_plugins:' '' \
		'Ansible documentation' '=====================' '' \
		'See https://docs.ansible.com/ansible/latest/reference_appendices/ (common return values, configuration) and https://docs.ansible.com/ansible/latest/plugins/action.html (action plugins).' \
		> $(DOCS)/rst/ansible_docs_links.rst
	$(BIN)/sphinx-build -M html $(DOCS)/rst $(DOCS)/build -c $(DOCS) -q -W --keep-going
	@echo "HTML docs: $(DOCS)/build/html/index.html"

build: venv
	@mkdir -p $(BUILD)/dist
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)/dist .

integration: venv link
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -rs -p no:cacheprovider --durations=12 tests/integration $(PYTEST_ARGS)

test: venv
	$(MAKE) --no-print-directory sanity
	$(MAKE) --no-print-directory units
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory docs-lint
	$(MAKE) --no-print-directory docs
	$(MAKE) --no-print-directory build
	$(MAKE) --no-print-directory integration

demo: venv link
	$(BIN)/python tools/demo.py $(ARGS)

# The tenant self-check (playbooks/tenant_check.yml) with its write checks, against the local Qualys simulator.
tenant-check: venv link
	$(BIN)/python tools/tenant_check.py $(ARGS)

# Not part of `make test` (timings depend on the machine); see bench/README.md.
bench: venv link
	$(BIN)/python bench/run.py $(ARGS)

# Optional, not part of `make test`: sanity and units with ansible-core 2.21 on Python 3.12.
PYTHON312 ?= python3.12
VENV221 := .venv-2.21
test-2.21: stage bootstrap-pip
	test -x $(VENV221)/bin/ansible-test || ($(PYTHON312) -m venv $(VENV221) && \
		$(VENV221)/bin/python -m pip install --quiet ansible-core==2.21.5 pytest==9.2.0 pytest-xdist==3.8.0 \
		requests==2.34.2 defusedxml==0.7.1 oci==2.189.0)
	@mkdir -p $(WHEELS) $(dir $(BOOTSTRAP_SCRIPT))
	@test -f $(WHEELS)/pip-25.2-py3-none-any.whl || $(BIN)/python -m pip download --quiet --no-deps --dest $(WHEELS) pip==25.2
	@sed -e 's/$(BOOTSTRAP_PIP)/25.2/g' $(BOOTSTRAP_SCRIPT) > $(dir $(BOOTSTRAP_SCRIPT))get_pip_25_2.py
	cd $(STAGE) && $(CURDIR)/$(VENV221)/bin/ansible-test sanity --venv --python 3.12 --color no
	cd $(STAGE) && $(CURDIR)/$(VENV221)/bin/ansible-test units --local --python 3.12 --color no

clean:
	rm -rf $(BUILD) $(STAGE_ROOT) .demo tests/output
