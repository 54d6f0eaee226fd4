"""An execution environment built from tests/ee/execution-environment.yml gets this
collection and its Python requirements.

No container engine here: ``ansible-builder create`` writes the build context, then the
two stages that matter are replayed on this machine from that context, with the files
ansible-builder put there: the galaxy stage (``ansible-galaxy collection install -r
requirements.yml`` in _build/) and the builder stage's introspection
(``_build/scripts/introspect.py``, which writes the requirements that are pip-installed
into the image). ansible-builder comes from requirements/packaging.txt.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.requirements import Requirement

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ANSIBLE_BUILDER = os.path.join(BIN, "ansible-builder")
ANSIBLE_GALAXY = os.path.join(BIN, "ansible-galaxy")
EE_FILE = os.path.join("tests", "ee", "execution-environment.yml")
# Where the EE definition expects the tarball, relative to the repository root.
DIST_DIR = os.path.join(".build", "dist")


def load(path):
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def requirement_lines(path):
    with open(os.path.join(REPO_ROOT, path), encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, **kwargs)
    assert result.returncode == 0, "%s\n%s%s" % (command, result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def version():
    return str(load("galaxy.yml")["version"])


@pytest.fixture(scope="module")
def context(tmp_path_factory, version):
    """The build context: ansible-builder create, with the tarball where the EE file expects it.

    The EE file is copied, unchanged, into a scratch tree laid out like the repository, so
    that runs in parallel never share a tarball.
    """
    if not os.path.exists(ANSIBLE_BUILDER):
        pytest.fail("ansible-builder is missing: %s/pip install -r requirements/packaging.txt" % BIN)
    tree = tmp_path_factory.mktemp("ee")
    (tree / EE_FILE).parent.mkdir(parents=True)
    shutil.copy(os.path.join(REPO_ROOT, EE_FILE), tree / EE_FILE)
    run([ANSIBLE_GALAXY, "collection", "build", "--output-path", str(tree / DIST_DIR), REPO_ROOT])
    run([ANSIBLE_BUILDER, "create", "--file", str(tree / EE_FILE), "--context", str(tree / "context"),
         "--output-filename", "Containerfile"])
    return tree / "context"


@pytest.fixture(scope="module")
def installed(context, tmp_path_factory):
    """The galaxy stage: install what _build/requirements.yml names, from inside _build/."""
    collections = tmp_path_factory.mktemp("collections")
    run([ANSIBLE_GALAXY, "collection", "install", "-r", "requirements.yml", "--collections-path", str(collections)],
        cwd=context / "_build", env=dict(os.environ, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY="1"))
    return collections


@pytest.fixture(scope="module")
def introspected(context, installed, tmp_path_factory):
    """The builder stage: the copied introspect.py writes the requirements the image gets."""
    out = tmp_path_factory.mktemp("introspect")
    run([sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect", str(installed),
         "--write-pip", str(out / "requirements.txt"), "--write-bindep", str(out / "bindep.txt")])
    return out


def test_context_has_the_containerfile_and_the_tarball(context, version):
    assert (context / "Containerfile").is_file()
    assert (context / "_build" / "collections" / ("rackspace-cloudbackup-%s.tar.gz" % version)).is_file()
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile
    assert "introspect.py introspect" in containerfile


def test_ee_file_names_the_tarball_of_this_version(version):
    definition = load(EE_FILE)
    tarball = "rackspace-cloudbackup-%s.tar.gz" % version
    assert definition["version"] == 3
    assert [entry["name"] for entry in definition["dependencies"]["galaxy"]["collections"]] == [
        "collections/" + tarball]
    assert [os.path.basename(entry["src"]) for entry in definition["additional_build_files"]] == [tarball]


def test_ee_uses_the_tested_ansible_core():
    definition = load(EE_FILE)
    assert definition["dependencies"]["ansible_core"]["package_pip"] in requirement_lines("requirements/test.txt")


def test_galaxy_stage_installs_this_collection(installed, version):
    manifest = installed / "ansible_collections" / "rackspace" / "cloudbackup" / "MANIFEST.json"
    assert manifest.is_file()
    assert '"version": "%s"' % version in manifest.read_text()
    for name in ("meta/execution-environment.yml", "requirements.txt", "bindep.txt"):
        assert (manifest.parent / name).is_file(), name


def test_introspection_finds_requests_and_jmespath(introspected):
    lines = (introspected / "requirements.txt").read_text().splitlines()
    names = {Requirement(re.sub(r"\s*#.*$", "", line)).name for line in lines if line.strip()}
    assert {"requests", "jmespath"} <= names
    # Each line names the collection it came from, as ansible-builder writes it.
    assert all("# from collection rackspace.cloudbackup" in line for line in lines if line.strip())


def test_introspection_adds_no_system_package(introspected):
    # bindep.txt is comments only: ansible-builder writes no file at all for it.
    assert not (introspected / "bindep.txt").exists()


def test_meta_points_at_the_requirement_files():
    meta = load("meta/execution-environment.yml")
    assert meta == {"version": 1, "dependencies": {"python": "requirements.txt", "system": "bindep.txt"}}


@pytest.mark.parametrize("name", ["requests", "jmespath"])
def test_tested_version_meets_the_declared_range(name):
    declared = {Requirement(line).name: Requirement(line) for line in requirement_lines("requirements.txt")}
    tested = {Requirement(line).name: Requirement(line) for line in requirement_lines("requirements/test.txt")}
    (pinned,) = [spec.version for spec in tested[name].specifier if spec.operator == "=="]
    assert declared[name].specifier.contains(pinned), "%s %s is tested but outside %s" % (
        name, pinned, declared[name].specifier)


def awx_guide_ee_definition():
    """The EE definition docs/awx.md gives users to copy (its YAML block with ``version: 3``)."""
    with open(os.path.join(REPO_ROOT, "docs", "awx.md"), encoding="utf-8") as handle:
        blocks = re.findall(r"^```yaml\n(.*?)^```", handle.read(), re.MULTILINE | re.DOTALL)
    definitions = [yaml.safe_load(block) for block in blocks if re.search(r"^version: 3$", block, re.MULTILINE)]
    assert len(definitions) == 1
    return definitions[0]


def test_the_awx_guides_ee_definition_is_one_ansible_builder_takes(tmp_path):
    definition_file = tmp_path / "execution-environment.yml"
    definition_file.write_text(yaml.safe_dump(awx_guide_ee_definition()))

    # create checks the definition against ansible-builder's schema and writes the build context.
    run([ANSIBLE_BUILDER, "create", "--file", str(definition_file), "--context", str(tmp_path / "context"),
         "--output-filename", "Containerfile"])

    assert (tmp_path / "context" / "Containerfile").is_file()


def test_the_awx_guides_ee_gets_the_tested_ansible_core():
    core = Requirement(awx_guide_ee_definition()["dependencies"]["ansible_core"]["package_pip"])
    tested = Requirement(next(line for line in requirement_lines("requirements/test.txt")
                              if line.startswith("ansible-core")))
    assert core.name == tested.name and core.specifier.contains(next(iter(tested.specifier)).version)
