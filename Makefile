# The two commands a newcomer runs (see README.md): `make demo` and `make test`.
# Both build their own virtualenv in .venv from the pinned requirements first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test sanity unit clean

$(INSTALLED): requirements/test.txt simulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -e ./simulator
	touch $@

## The main job: the pre-upgrade backup playbook against the embedded simulator.
demo: $(INSTALLED)
	mkdir -p .build/pytest-collections/ansible_collections/rackspace
	ln -sfn $(CURDIR) .build/pytest-collections/ansible_collections/rackspace/cloudbackup
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.build/pytest-collections $(BIN)/python scripts/with_simulator.py --scenario demo --speed 10 -- \
		$(BIN)/ansible-playbook -i playbooks/inventory/demo.yml playbooks/pre_upgrade_backup.yml

## Every test: sanity, then pytest (unit, simulator, end-to-end) with its summary line last.
test: $(INSTALLED)
	scripts/sanity.sh
	$(BIN)/pytest

sanity: $(INSTALLED)
	scripts/sanity.sh

unit: $(INSTALLED)
	$(BIN)/pytest tests/unit simulator/tests

clean:
	rm -rf $(VENV) .build tests/output
