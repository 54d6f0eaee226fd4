"""The Galaxy tarball holds the collection and nothing of the development tooling."""
import tarfile

import pytest

# Development-only paths that must never reach users.
FORBIDDEN_PREFIXES = (".ci/", ".venv/", ".build/", "simulator/", "tests/output/", "tests/unit/", "tests/e2e/",
                      "tests/packaging/", "tests/ee/", "changelogs/fragments/", "scripts/", "requirements/")


@pytest.fixture(scope="module")
def tarball_members(galaxy_tarball):
    # galaxy_tarball: tests/packaging/conftest.py (shared with test_galaxy_importer.py).
    with tarfile.open(galaxy_tarball) as archive:
        return archive.getnames()


def test_tarball_has_collection_metadata(tarball_members):
    assert "MANIFEST.json" in tarball_members
    assert "meta/runtime.yml" in tarball_members


def test_tarball_has_the_lint_config(tarball_members):
    # Galaxy's importer runs ansible-lint on the tarball: .ansible-lint's stand-ins for the
    # awx.awx modules of extensions/awx/ must come along (test_galaxy_importer.py).
    assert ".ansible-lint" in tarball_members


@pytest.mark.parametrize("prefix", FORBIDDEN_PREFIXES)
def test_tarball_leaves_out_development_files(tarball_members, prefix):
    leaked = [name for name in tarball_members if (name + "/").startswith(prefix)]
    assert leaked == []
