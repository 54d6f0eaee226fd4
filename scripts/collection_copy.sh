# shellcheck shell=bash
# Sourced by scripts/sanity.sh and scripts/integration.sh: lay out a copy of the collection
# where ansible-test wants it. ansible-test resolves real paths, so a symlink to this checkout
# does not work: copy the files git knows (tracked and untracked-but-not-ignored) under the
# ignored .build/ folder.
#
#   make_work_dir KIND                       # sets work: a fresh .build/KIND.XXXXXX (the caller removes it)
#   copy_collection                          # sets collection: $work/ansible_collections/rackspace/cloudbackup
#   bootstrap_pip_offline VENV_BIN PYTHON    # ansible-test's pip bootstrap script, from this checkout
#
# Needs $repo (the checkout). A fresh folder for each run, so that runs in parallel (two
# shells, two developers' helpers) never delete each other's copy.

make_work_dir() {
    mkdir -p "$repo/.build"
    work=$(mktemp -d "$repo/.build/$1.XXXXXX")
}

copy_collection() {
    collection="$work/ansible_collections/rackspace/cloudbackup"
    mkdir -p "$collection"
    # Tracked files deleted in the work tree are left out: the copy is of the work tree.
    (cd "$repo" && git ls-files -co --exclude-standard -z \
        | while IFS= read -r -d '' file; do if [ -e "$file" ]; then printf '%s\0' "$file"; fi; done \
        | xargs -0 cp --parents -t "$collection")
    # A git repository of its own, or ansible-test walks up to this checkout's .git, where
    # .build/ is ignored, and finds no files to test.
    (cd "$collection" && git init --quiet .)
}

# ansible-test looks for its pip bootstrap script in this cache before downloading it.
bootstrap_pip_offline() {
    local venv_bin=$1 python_version=$2 pip_cache="$HOME/.ansible/test/cache" pip_version
    mkdir -p "$pip_cache"
    pip_version=$(PYTHON_VERSION="$python_version" "$venv_bin/python" - <<'PY'
import os
from types import SimpleNamespace
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(SimpleNamespace(version=os.environ["PYTHON_VERSION"]))["pip"].replace(".", "_"))
PY
)
    [ -f "$pip_cache/get_pip_$pip_version.py" ] || cp "$repo/scripts/get_pip_offline.py" "$pip_cache/get_pip_$pip_version.py"
}
