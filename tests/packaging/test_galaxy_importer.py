"""Galaxy's own importer accepts the built tarball without a warning.

`python -m galaxy_importer.main <tarball>` is what Galaxy runs on an upload: it checks the
metadata and the changelog, reads every plugin's docs with ansible-doc and runs
ansible-lint over the collection; its warnings are shown on the collection's Galaxy page.
It runs here with tests/packaging/galaxy-importer.cfg: everything that works offline and
without a container (ansible-test inside the importer needs docker or podman).
galaxy-importer comes from requirements/packaging.txt. About 20 seconds.
"""
import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "plugins", "modules")
BIN = os.path.dirname(sys.executable)
CONFIG = os.path.join(HERE, "galaxy-importer.cfg")
# The importer logs "WARNING: ..." and "ERROR: ..." (INFO lines have no prefix).
PROBLEM = re.compile(r"^\s*(WARNING|ERROR|CRITICAL)\b")


@pytest.fixture(scope="module")
def importer_run(galaxy_tarball, tmp_path_factory):
    try:
        import galaxy_importer  # noqa: F401 pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        pytest.fail("galaxy-importer is missing: %s/pip install -r requirements/packaging.txt" % BIN)
    work = tmp_path_factory.mktemp("galaxy-importer")
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=CONFIG,
               # ansible-lint and ansible-doc from this virtualenv, found through PATH.
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               # Its scratch files (and ansible-lint's cache) in the test's own folder.
               GALAXY_IMPORTER_TMP_ROOT_DIR=str(work), GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=str(work / "ansible-tmp"))
    # Like Galaxy: the tarball alone, not this checkout nor other installed collections.
    for name in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS", "ANSIBLE_CONFIG"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-m", "galaxy_importer.main", str(galaxy_tarball)], cwd=work, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    output = "$ python -m galaxy_importer.main %s\n%s%s" % (galaxy_tarball.name, result.stdout, result.stderr)
    return result, output, work


def test_importer_succeeds(importer_run):
    result, output, _work = importer_run
    assert result.returncode == 0, output
    assert "Importer processing completed successfully" in result.stdout, output


def test_importer_ran_ansible_lint(importer_run):
    # Not skipped for want of ansible-lint on PATH (that would be a WARNING too).
    _result, output, _work = importer_run
    assert "Linting collection via ansible-lint" in output, output
    assert "...ansible-lint run complete" in output, output


def test_importer_has_no_warning(importer_run):
    _result, output, _work = importer_run
    problems = [line for line in output.splitlines() if PROBLEM.match(line)]
    assert problems == [], output


def test_importer_finds_every_module(importer_run):
    # Its result (importer_result.json) lists the modules with the docs Galaxy shows.
    _result, output, work = importer_run
    with open(work / "importer_result.json", encoding="utf-8") as handle:
        result = json.load(handle)
    found = {item["name"] for item in result["contents"] if item["content_type"] == "module"}
    shipped = {name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith(".py") and not name.startswith("_")}
    assert found == shipped, output
    documented = {entry["doc_strings"] is not None for entry in result["docs_blob"]["contents"]
                  if entry["content_type"] == "module"}
    assert documented == {True}, output
