#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of the collection laid out where ansible-test wants it.
# ansible-test resolves real paths, so a symlink to this checkout does not work: copy the
# files git knows (tracked and untracked-but-not-ignored) under the ignored .build/ folder.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# SANITY_VENV_BIN and SANITY_PYTHON run another ansible-core's ansible-test (scripts/test_other_core.sh).
venv_bin=${SANITY_VENV_BIN:-$repo/.venv/bin}
python_version=${SANITY_PYTHON:-3.11}
# A fresh folder for each run, so that runs in parallel (two shells, two developers'
# helpers) never delete each other's copy.
mkdir -p "$repo/.build"
work=$(mktemp -d "$repo/.build/sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
collection="$work/ansible_collections/rackspace/cloudbackup"

# ansible-test looks for its pip bootstrap script in this cache before downloading it.
pip_cache="$HOME/.ansible/test/cache"
mkdir -p "$pip_cache"
pip_version=$(PYTHON_VERSION="$python_version" "$venv_bin/python" - <<'PY'
import os
from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version=os.environ["PYTHON_VERSION"]))["pip"].replace(".", "_"))
PY
)
[ -f "$pip_cache/get_pip_$pip_version.py" ] || cp "$repo/scripts/get_pip_offline.py" "$pip_cache/get_pip_$pip_version.py"

mkdir -p "$collection"
(cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$collection")

cd "$collection"
# A git repository of its own, or ansible-test walks up to this checkout's .git, where
# .build/ is ignored, and finds no files to test.
git init --quiet .
PATH="$venv_bin:$PATH" ansible-test sanity --venv --python "$python_version" --color no "$@"
