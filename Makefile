# The two commands a newcomer runs (see README.md): `make demo` and `make test`.
# Both build their own virtualenv in .venv from the pinned requirements first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# ansible-playbook and ansible-lint find this checkout as rackspace.cloudbackup through a
# symlink at .build/pytest-collections/ansible_collections/rackspace/cloudbackup.
COLLECTIONS := $(CURDIR)/.build/pytest-collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/rackspace/cloudbackup
# `make demo CLOUDBACKUP_COLLECTIONS_PATH=<path>` runs the collection installed under <path>
# (ansible-galaxy collection install -p <path> ...) instead of this checkout.
ifdef CLOUDBACKUP_COLLECTIONS_PATH
DEMO_COLLECTIONS := $(CLOUDBACKUP_COLLECTIONS_PATH)
DEMO_PLAYBOOKS := $(CLOUDBACKUP_COLLECTIONS_PATH)/ansible_collections/rackspace/cloudbackup/playbooks
else
DEMO_COLLECTIONS := $(COLLECTIONS)
DEMO_PLAYBOOKS := playbooks
endif

.PHONY: demo test sanity integration lint unit packaging docs installed other-core bench changelog-release ee-context clean

$(INSTALLED): requirements/test.txt requirements/packaging.txt simulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/test.txt -r requirements/packaging.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -e ./simulator
	touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

## The main job: the pre-upgrade backup playbook against the embedded simulator.
demo: $(INSTALLED) $(COLLECTION_LINK)
	ANSIBLE_COLLECTIONS_PATH=$(DEMO_COLLECTIONS) $(BIN)/python scripts/with_simulator.py --scenario demo --speed 10 -- \
		$(BIN)/ansible-playbook -i $(DEMO_PLAYBOOKS)/inventory/demo.yml $(DEMO_PLAYBOOKS)/pre_upgrade_backup.yml

## Every test: sanity, the integration targets, lint, the second ansible-core (sanity, integration,
## pytest), the installed tarball, then pytest (unit, simulator, packaging, docs, end-to-end)
## with its summary line last: .ci/run reads the last one.
## The second and third passes run a part of the tests that run playbooks, to keep make test
## well under 35 minutes; all of them run in the main pass. On the second ansible-core, the
## unit tests run every module's main() on that core's AnsibleModule; the integration targets
## of OTHER_CORE_TARGETS run what a play adds: the role, a token registered and passed on by
## module_defaults, --diff; and OTHER_CORE_E2E runs the two main playbooks (the demo, the
## pre-upgrade backup then its rollback). In the installed copy (INSTALLED_E2E) every playbook
## runs, with the role, the restore playbook's filters and every module's docs.
OTHER_CORE_TARGETS := run_backup cloudbackup_auth cloudbackup_configuration
UNDER_TEST_E2E := tests/e2e/test_e2e_collection_under_test.py
ROLLBACK_E2E := tests/e2e/test_e2e_restore.py::test_pre_upgrade_records_the_good_backups_and_the_rollback_restores_only_those
OTHER_CORE_E2E := $(UNDER_TEST_E2E) $(ROLLBACK_E2E) \
	tests/e2e/test_e2e_playbooks.py::test_the_demo_backs_up_three_servers_and_accepts_the_database_errors
INSTALLED_E2E := $(UNDER_TEST_E2E) $(ROLLBACK_E2E) tests/e2e/test_e2e_playbooks.py
test: $(INSTALLED)
	scripts/sanity.sh
	scripts/integration.sh
	$(MAKE) --no-print-directory lint
	INTEGRATION_TARGETS="$(OTHER_CORE_TARGETS)" E2E_TESTS="$(OTHER_CORE_E2E)" scripts/test_other_core.sh
	E2E_TESTS="$(INSTALLED_E2E)" scripts/test_installed.sh
	$(BIN)/pytest

sanity: $(INSTALLED)
	scripts/sanity.sh

## ansible-test integration: tests/integration/targets (one per module, the run_backup role)
## against the simulator, on the collection copy that sanity uses (`make integration ARGS=cloudbackup_info`).
integration: $(INSTALLED)
	scripts/integration.sh $(ARGS)

lint: $(INSTALLED) $(COLLECTION_LINK)
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/ansible-lint roles playbooks extensions

unit: $(INSTALLED)
	$(BIN)/pytest tests/unit simulator/tests

packaging: $(INSTALLED)
	$(BIN)/pytest tests/packaging

## Docs lint and docs site build with antsibull-docs (also part of `make packaging`).
docs: $(INSTALLED)
	$(BIN)/pytest tests/packaging/test_docs.py

## The Galaxy tarball installed into an empty path: the demo and the end-to-end tests against it.
installed: $(INSTALLED)
	scripts/test_installed.sh

## Unit, simulator and end-to-end tests on the newest ansible-core (needs python3.13 or 3.12; skips without).
other-core:
	scripts/test_other_core.sh

## Fleet benchmarks over N simulated servers, each against its floor (`make bench N=200 SLICES=5`):
## first the run_backup role, run as SLICES concurrent ansible-playbook processes as an AWX sliced
## job (scripts/bench_fleet.py; more of its options in BENCH_ARGS, e.g. "--throttle POST=5/s,100/min",
## "--fault-rate 503=0.02,drop=0.005 --seed 1", --reference); then the restore contender,
## playbooks/restore.yml restoring the same N servers (scripts/bench_restore.py, one process: SLICES
## and BENCH_ARGS do not apply; its options in RESTORE_BENCH_ARGS, e.g. "--speed 10 --json out.json");
## then playbooks/configure_backups.yml declaring N servers' configurations twice (scripts/bench_configure.py;
## its options in CONFIGURE_BENCH_ARGS). Each runs whatever the others' results; make bench fails when any failed.
N ?= 10
SLICES ?= 1
BENCH_ARGS ?=
RESTORE_BENCH_ARGS ?=
CONFIGURE_BENCH_ARGS ?=
bench: $(INSTALLED) $(COLLECTION_LINK)
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/python scripts/bench_fleet.py --hosts $(N) --slices $(SLICES) $(BENCH_ARGS); \
	fleet=$$?; \
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/python scripts/bench_restore.py --hosts $(N) $(RESTORE_BENCH_ARGS); \
	restore=$$?; \
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(BIN)/python scripts/bench_configure.py --hosts $(N) $(CONFIGURE_BENCH_ARGS) \
		&& [ $$fleet -eq 0 ] && [ $$restore -eq 0 ]

## Release time: fold the changelog fragments into changelogs/changelog.yaml as the release of
## galaxy.yml's version (which must not be released yet), regenerate CHANGELOG.md, and make every
## collection version the user documents name take it (scripts/doc_versions.py).
changelog-release: $(INSTALLED)
	@$(BIN)/python -c 'import sys, yaml; version = str(yaml.safe_load(open("galaxy.yml"))["version"]); \
		released = {str(v) for v in yaml.safe_load(open("changelogs/changelog.yaml"))["releases"]}; \
		sys.exit("%s is released already: raise the version in galaxy.yml first" % version if version in released else 0)'
	$(BIN)/antsibull-changelog release --ansible-doc-bin $(BIN)/ansible-doc
	$(BIN)/python scripts/doc_versions.py

## Execution environment build context in .build/ee (then: podman build -f .build/ee/Containerfile .build/ee).
ee-context: $(INSTALLED)
	$(BIN)/ansible-galaxy collection build --force --output-path .build/dist .
	$(BIN)/ansible-builder create -f tests/ee/execution-environment.yml --context .build/ee --output-filename Containerfile

clean:
	rm -rf $(VENV) .build tests/output
