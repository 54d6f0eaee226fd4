#!/usr/bin/env bash
# The run_backup role runs as a play over inventory hosts (one per server), which a role
# target (one task list on testhost) cannot be: this target runs playbooks of its own, whose
# first play (servers.yml) includes setup_simulator. The second run, in check mode, needs
# --check: the role reads ansible_check_mode, which a play's check_mode keyword does not set.
set -eux
export ANSIBLE_ROLES_PATH=..
ansible-playbook -i "$INVENTORY_PATH" run_backup.yml "$@"
ansible-playbook -i "$INVENTORY_PATH" check_mode.yml --check "$@"
