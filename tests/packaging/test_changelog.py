"""The changelog fragments lint clean, and CHANGELOG.md is what changelog.yaml generates.

antsibull-changelog comes from requirements/packaging.txt, installed into the same
virtualenv as pytest.
"""
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.version import Version

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ANTSIBULL_CHANGELOG = os.path.join(BIN, "antsibull-changelog")


@pytest.fixture(scope="module")
def antsibull_changelog():
    if not os.path.exists(ANTSIBULL_CHANGELOG):
        pytest.fail("antsibull-changelog is missing: %s/pip install -r requirements/packaging.txt" % BIN)
    return ANTSIBULL_CHANGELOG


def run(command, cwd=REPO_ROOT):
    # ansible-doc from this virtualenv, should the tool need to look at the plugins.
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def load(path):
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_fragments_lint_clean(antsibull_changelog):
    result = run([antsibull_changelog, "lint"])
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_changelog_yaml_lints_clean(antsibull_changelog):
    result = run([antsibull_changelog, "lint-changelog-yaml", "changelogs/changelog.yaml"])
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_release_has_a_summary():
    releases = load("changelogs/changelog.yaml")["releases"]
    assert releases
    for version, release in releases.items():
        assert release["changes"].get("release_summary"), version


def test_galaxy_version_is_not_behind_the_changelog():
    # galaxy.yml may be ahead (the next release in the making), never behind.
    newest = max(Version(str(version)) for version in load("changelogs/changelog.yaml")["releases"])
    assert Version(str(load("galaxy.yml")["version"])) >= newest


def test_changelog_md_is_generated_from_changelog_yaml(antsibull_changelog, tmp_path):
    # A copy without plugins: generate must render changelog.yaml alone, as recorded.
    shutil.copy(os.path.join(REPO_ROOT, "galaxy.yml"), tmp_path)
    (tmp_path / "changelogs").mkdir()
    for name in ("config.yaml", "changelog.yaml"):
        shutil.copy(os.path.join(REPO_ROOT, "changelogs", name), tmp_path / "changelogs")
    result = run([antsibull_changelog, "generate"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(os.path.join(REPO_ROOT, "CHANGELOG.md"), encoding="utf-8") as handle:
        committed = handle.read()
    assert committed == (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8"), (
        "CHANGELOG.md was edited by hand or is stale: antsibull-changelog generate")
