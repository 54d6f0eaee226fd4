#!/usr/bin/env bash
# Run sanity (validate-modules, compile, import, pep8, pylint, yamllint), the integration
# targets, the unit, simulator and end-to-end tests on a second ansible-core: the newest
# release, pinned in requirements/core-<version>.txt, which needs Python 3.12 or later.
# It gets its own virtualenv, .build/venv-core<version> (under the ignored .build/, so that
# neither the Galaxy build nor the sanity copy picks it up), from that file and ./simulator.
#
#   scripts/test_other_core.sh                                 # sanity, integration, unit, simulator and e2e tests
#   scripts/test_other_core.sh tests/e2e/test_e2e_role.py      # only pytest, with these arguments
#
# The first of $OTHER_CORE_PYTHON, python3.13, python3.12 (on PATH or under pyenv) runs it.
# With none of them on the machine, it says so and exits 0: only Python 3.11 is promised
# on CI machines, and the main run (make test) covers ansible-core 2.19 on it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
core=${OTHER_CORE:-2.21}
requirements="$repo/requirements/core-$core.txt"
venv="$repo/.build/venv-core$core"
[ -f "$requirements" ] || { echo "no $requirements" >&2; exit 1; }

python_ok() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null
}
python=""
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
for candidate in ${OTHER_CORE_PYTHON:-} python3.13 python3.12 \
        "$pyenv_root"/versions/3.13.*/bin/python "$pyenv_root"/versions/3.12.*/bin/python; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
        python=$(command -v "$candidate")
        break
    fi
done
if [ -z "$python" ]; then
    echo "SKIPPED: ansible-core $core needs Python >= 3.12, and there is no python3.13 or python3.12 here" \
         "(set OTHER_CORE_PYTHON to one): not tested on a second ansible-core."
    exit 0
fi

stamp="$venv/.installed"
if [ ! -f "$stamp" ] || [ "$requirements" -nt "$stamp" ] || [ "$repo/simulator/pyproject.toml" -nt "$stamp" ]; then
    echo "== virtualenv $venv with $("$python" --version) and requirements/core-$core.txt"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -e "$repo/simulator"
    touch "$stamp"
fi
"$venv/bin/ansible" --version | sed -n 1p  # sed reads it all: no broken pipe

cd "$repo"
if [ "$#" -eq 0 ]; then
    echo "== ansible-test sanity of this ansible-core (the tests that depend on its version)"
    SANITY_VENV_BIN="$venv/bin" SANITY_PYTHON=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
        scripts/sanity.sh --test validate-modules --test compile --test import --test pep8 --test pylint --test yamllint
    # INTEGRATION_TARGETS (the Makefile names a few) narrows the targets of this pass.
    echo "== ansible-test integration of this ansible-core (tests/integration/targets: ${INTEGRATION_TARGETS:-all})"
    # shellcheck disable=SC2086  # a list of target names
    INTEGRATION_VENV_BIN="$venv/bin" INTEGRATION_PYTHON=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') \
        scripts/integration.sh ${INTEGRATION_TARGETS:-}
    # The slow tests (a minute of real time each) run once, in the main pass of `make test`.
    # E2E_TESTS (the Makefile names a subset) narrows the end-to-end tests of this pass.
    # shellcheck disable=SC2086  # a list of paths
    set -- tests/unit simulator/tests ${E2E_TESTS:-tests/e2e} -m "not slow"
fi
echo "== pytest on ansible-core $core"
"$venv/bin/pytest" -p no:cacheprovider "$@"
