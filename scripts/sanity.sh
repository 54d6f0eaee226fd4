#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection laid out where ansible-test wants it.
# (scripts/collection_copy.sh: a copy, as ansible-test resolves real paths.)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# SANITY_VENV_BIN and SANITY_PYTHON run another ansible-core's ansible-test (scripts/test_other_core.sh).
venv_bin=${SANITY_VENV_BIN:-$repo/.venv/bin}
python_version=${SANITY_PYTHON:-3.11}
source "$repo/scripts/collection_copy.sh"
make_work_dir sanity
trap 'rm -rf "$work"' EXIT
copy_collection
bootstrap_pip_offline "$venv_bin" "$python_version"

cd "$collection"
PATH="$venv_bin:$PATH" ansible-test sanity --venv --python "$python_version" --color no "$@"
