#!/usr/bin/env bash
# Run `ansible-test integration` (tests/integration/targets) on a copy of the collection laid
# out as for sanity (scripts/collection_copy.sh). The first target starts the simulator
# (setup_simulator); this script stops it when ansible-test ends.
#
#   scripts/integration.sh                          # every target
#   scripts/integration.sh cloudbackup_info -v      # ansible-test integration arguments
#
# INTEGRATION_VENV_BIN and INTEGRATION_PYTHON run another ansible-core's ansible-test
# (scripts/test_other_core.sh). ansible-test makes a virtualenv for that Python in the copy
# and installs ansible-core's requirements and tests/integration/requirements.txt into it
# from PyPI (or pip's cache).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv_bin=${INTEGRATION_VENV_BIN:-$repo/.venv/bin}
python_version=${INTEGRATION_PYTHON:-3.11}
source "$repo/scripts/collection_copy.sh"
make_work_dir integration

stop_simulator() {
    # Where setup_simulator keeps the simulator's pid (see its tasks/main.yml).
    local pid_file="$work/ansible_collections/rackspace/cloudbackup/tests/output/.tmp/cloudbackup_simulator/pid"
    if [ -f "$pid_file" ]; then
        kill "$(cat "$pid_file")" 2>/dev/null || true
    fi
}
trap 'stop_simulator; rm -rf "$work"' EXIT
copy_collection
bootstrap_pip_offline "$venv_bin" "$python_version"

cd "$collection"
PATH="$venv_bin:$PATH" ansible-test integration --venv --python "$python_version" --color no "$@"
