"""The Galaxy tarball holds the collection and nothing of the development tooling."""
import os
import subprocess
import sys
import tarfile

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_GALAXY = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
# Development-only paths that must never reach users.
FORBIDDEN_PREFIXES = (".ci/", ".venv/", ".build/", "simulator/", "tests/output/", "tests/unit/", "tests/e2e/",
                      "tests/packaging/", "tests/ee/", "changelogs/fragments/", "scripts/", "requirements/")


@pytest.fixture(scope="module")
def tarball_members(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([ANSIBLE_GALAXY, "collection", "build", "--output-path", str(out), REPO_ROOT], check=True, capture_output=True)
    (tarball,) = out.glob("rackspace-cloudbackup-*.tar.gz")
    with tarfile.open(tarball) as archive:
        return archive.getnames()


def test_tarball_has_collection_metadata(tarball_members):
    assert "MANIFEST.json" in tarball_members
    assert "meta/runtime.yml" in tarball_members


@pytest.mark.parametrize("prefix", FORBIDDEN_PREFIXES)
def test_tarball_leaves_out_development_files(tarball_members, prefix):
    leaked = [name for name in tarball_members if (name + "/").startswith(prefix)]
    assert leaked == []
