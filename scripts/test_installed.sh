#!/usr/bin/env bash
# Install the collection from its Galaxy tarball into an empty collections path, then run
# the demo and the end-to-end tests against that installed copy: nothing may depend on
# running from the source tree. Only the tests, the simulator (installed in the virtualenv
# from ./simulator) and scripts/with_simulator.py come from this checkout: none of them is
# in the tarball.
#
#   scripts/test_installed.sh                      # the demo, then tests/e2e (or $E2E_TESTS)
#   scripts/test_installed.sh tests/e2e/test_e2e_role.py -k attach   # pytest arguments
#
# VENV_BIN picks the virtualenv (default .venv/bin, as the Makefile builds it). To run
# only the demo on an installed copy: make demo CLOUDBACKUP_COLLECTIONS_PATH=<path>.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${VENV_BIN:-$repo/.venv/bin}
work=$(mktemp -d "${TMPDIR:-/tmp}/cloudbackup-installed.XXXXXX")
trap 'rm -rf "$work"' EXIT
collections="$work/collections"
collection="$collections/ansible_collections/rackspace/cloudbackup"

echo "== build and install the tarball into the empty path $collections"
"$bin/ansible-galaxy" collection build --output-path "$work/dist" "$repo"
tarballs=("$work"/dist/rackspace-cloudbackup-*.tar.gz)
if [ "${#tarballs[@]}" -ne 1 ] || [ ! -f "${tarballs[0]}" ]; then
    echo "expected one tarball in $work/dist" >&2
    exit 1
fi
mkdir -p "$collections"
"$bin/ansible-galaxy" collection install --collections-path "$collections" "${tarballs[0]}"
ANSIBLE_COLLECTIONS_PATH="$collections" "$bin/ansible-galaxy" collection list --collections-path "$collections" rackspace.cloudbackup

echo "== the demo, from the installed collection (playbook by its FQCN, outside the checkout)"
(
    cd "$work"
    ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_HOME="$work/ansible-home" \
        "$bin/python" "$repo/scripts/with_simulator.py" --scenario demo --speed 10 -- \
        "$bin/ansible-playbook" -i "$collection/playbooks/inventory/demo.yml" rackspace.cloudbackup.pre_upgrade_backup
)

echo "== end-to-end tests against the installed collection"
cd "$repo"
if [ "$#" -eq 0 ]; then
    # The slow tests (a minute of real time each) run once, in the main pass of `make test`.
    # E2E_TESTS (the Makefile names a subset) narrows the end-to-end tests of this pass.
    # shellcheck disable=SC2086  # a list of paths
    set -- ${E2E_TESTS:-tests/e2e} -m "not slow"
fi
CLOUDBACKUP_COLLECTIONS_PATH="$collections" "$bin/pytest" -p no:cacheprovider "$@"
