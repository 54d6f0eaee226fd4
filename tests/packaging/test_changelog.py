"""The changelog fragments lint clean, and CHANGELOG.md is what changelog.yaml generates.

changelogs/changelog.yaml is the record of the released versions; the fragments in
changelogs/fragments/ hold only what changed since the last release (galaxy.yml holds the
version in the making), so that `make changelog-release` folds them into that version alone.
Released plugins and roles are in changelog.yaml under the version their docs name.

antsibull-changelog comes from requirements/packaging.txt, installed into the same
virtualenv as pytest.
"""
import ast
import glob
import os
import re
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


FRAGMENTS_DIR = os.path.join(REPO_ROOT, "changelogs", "fragments")
# Entries that announce what the release finds by itself (config.yaml: new modules and
# plugins need no fragment), e.g. "cloudbackup_restore - new module that ...".
NEW_PLUGIN_ENTRY = re.compile(r"^(?P<name>[\w.]+) - new (?P<type>module|filter|lookup|plugin)\b")


def fragment_names():
    return sorted(os.path.basename(path) for pattern in ("*.yml", "*.yaml")
                  for path in glob.glob(os.path.join(FRAGMENTS_DIR, pattern)))


def entries(section):
    # A section of changes holds a list of entries; release_summary is one string.
    return [section] if isinstance(section, str) else list(section or [])


def normalized(text):
    return " ".join(str(text).split())


def released():
    """What changelog.yaml records: entries, fragment names, plugins and objects."""
    record = {"entries": {}, "fragments": {}, "plugins": {}}
    for version, release in load("changelogs/changelog.yaml")["releases"].items():
        version = str(version)
        for section, content in release.get("changes", {}).items():
            for entry in entries(content):
                record["entries"][normalized(entry)] = "%s %s" % (version, section)
        for name in release.get("fragments", []):
            record["fragments"][name] = version
        for plugin in release.get("modules", []):
            record["plugins"][("module", plugin["name"])] = version
        for kind in ("plugins", "objects"):
            for plugin_type, plugins in release.get(kind, {}).items():
                for plugin in plugins:
                    record["plugins"][(plugin_type, plugin["name"])] = version
    return record


def plugin_files():
    """(type, name, path, {"DOCUMENTATION": ..., "RETURN": ...}) of each module and plugin file."""
    for path in sorted(glob.glob(os.path.join(REPO_ROOT, "plugins", "*", "*"))):
        plugin_type = os.path.basename(os.path.dirname(path))
        name, extension = os.path.splitext(os.path.basename(path))
        if plugin_type in ("module_utils", "doc_fragments") or name.startswith("_"):
            continue
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        docs = {}
        if extension in (".yml", ".yaml"):
            docs = {key: value for key, value in (yaml.safe_load(text) or {}).items() if isinstance(value, dict)}
        elif extension == ".py":
            for node in ast.parse(text).body:
                targets = [getattr(target, "id", None) for target in getattr(node, "targets", [])]
                if isinstance(node, ast.Assign) and targets in (["DOCUMENTATION"], ["RETURN"]):
                    docs[targets[0]] = yaml.safe_load(ast.literal_eval(node.value)) or {}
        yield "module" if plugin_type == "modules" else plugin_type, name, path, docs


def versions_added(node):
    """Every version_added in a doc, at any depth (the plugin's, its options', its return values')."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "version_added":
                yield str(value)
            else:
                yield from versions_added(value)
    elif isinstance(node, list):
        for value in node:
            yield from versions_added(value)


def plugin_docs():
    """(type, name) -> version_added of every documented module and plugin in plugins/."""
    found = {}
    for plugin_type, name, _path, docs in plugin_files():
        doc = docs.get("DOCUMENTATION")
        if doc:  # a filter file such as plugins/filter/run_backup.py has its docs in .yml files
            found[(plugin_type, doc.get("name", name))] = str(doc.get("version_added"))
    return found


def newest_release():
    return max((str(version) for version in load("changelogs/changelog.yaml")["releases"]), key=Version)


@pytest.mark.parametrize("name", fragment_names())
def test_no_fragment_repeats_a_released_entry(name):
    record = released()
    assert name not in record["fragments"], (
        "%s was folded into %s already: delete it (or rename a new fragment)" % (name, record["fragments"][name]))
    with open(os.path.join(FRAGMENTS_DIR, name), encoding="utf-8") as handle:
        fragment = yaml.safe_load(handle) or {}
    for section, content in fragment.items():
        if section.startswith(("add plugin.", "add object.")):
            plugin_type = section.split(".", 1)[1]
            for plugin in content:
                key = (plugin_type, plugin["name"])
                assert key not in record["plugins"], "%s: %s %s was released in %s" % (
                    name, plugin_type, plugin["name"], record["plugins"][key])
            continue
        for entry in entries(content):
            assert normalized(entry) not in record["entries"], "%s repeats an entry of %s: %s" % (
                name, record["entries"][normalized(entry)], entry)
            announced = NEW_PLUGIN_ENTRY.match(normalized(entry))
            assert not announced, (
                "%s announces the new %s %s: the release lists new plugins by the version_added of their docs"
                % (name, announced.group("type"), announced.group("name")))


def test_pending_fragments_are_for_an_unreleased_version():
    # Otherwise `make changelog-release` would fold them into a version users already have.
    version = str(load("galaxy.yml")["version"])
    if fragment_names():
        assert version not in released()["fragments"].values(), (
            "galaxy.yml says %s, which is released: raise it for the fragments %s" % (version, fragment_names()))
        assert Version(version) > Version(newest_release())


def test_released_plugins_are_recorded_under_their_version_added():
    record = released()
    docs = plugin_docs()
    newest = Version(newest_release())
    for key, version in record["plugins"].items():
        if key[0] == "role":
            assert os.path.isdir(os.path.join(REPO_ROOT, "roles", key[1])), key
            continue
        assert docs.get(key) == version, "%s %s: changelog.yaml says %s, its docs version_added %s" % (
            key + (version, docs.get(key)))
    galaxy_version = Version(str(load("galaxy.yml")["version"]))
    for key, version in docs.items():
        assert version != "None", "%s %s has no version_added: the release could not list it" % key
        assert Version(version) <= galaxy_version, "%s %s: version_added %s is past galaxy.yml's" % (key + (version,))
        if Version(version) <= newest:
            # Released: the release of its version_added must have listed it.
            assert record["plugins"].get(key) == version, "%s %s (version_added %s) is missing from changelog.yaml" % (
                key + (version,))


def test_every_role_is_announced():
    # New roles are not found by the release (config.yaml): each is in changelog.yaml or
    # in a fragment's "add object.role".
    announced = {name for (plugin_type, name) in released()["plugins"] if plugin_type == "role"}
    for name in fragment_names():
        with open(os.path.join(FRAGMENTS_DIR, name), encoding="utf-8") as handle:
            announced.update(role["name"] for role in (yaml.safe_load(handle) or {}).get("add object.role", []))
    roles = {name for name in os.listdir(os.path.join(REPO_ROOT, "roles"))
             if os.path.isdir(os.path.join(REPO_ROOT, "roles", name))}
    assert roles <= announced


def test_next_release_folds_the_fragments_into_the_new_version_alone(antsibull_changelog, tmp_path):
    # `make changelog-release` rehearsed in a copy: galaxy.yml's version becomes a new
    # release holding every fragment and the plugins whose docs say version_added of it,
    # and the released versions stay as they were.
    shutil.copy(os.path.join(REPO_ROOT, "galaxy.yml"), tmp_path)
    for name in ("meta", "plugins"):
        shutil.copytree(os.path.join(REPO_ROOT, name), tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(os.path.join(REPO_ROOT, "changelogs"), tmp_path / "changelogs",
                    ignore=shutil.ignore_patterns(".plugin-cache.yaml"))
    before = load("changelogs/changelog.yaml")["releases"]
    version = str(load("galaxy.yml")["version"])
    if version in {str(v) for v in before}:
        # Right after a release: nothing to rehearse (test_pending_fragments_... fails
        # should fragments be waiting).
        pytest.skip("galaxy.yml's version %s is released" % version)
    result = run([antsibull_changelog, "release", "--ansible-doc-bin", os.path.join(BIN, "ansible-doc")], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(tmp_path / "changelogs" / "changelog.yaml", encoding="utf-8") as handle:
        after = yaml.safe_load(handle)["releases"]
    assert {str(v): r for v, r in after.items() if str(v) != version} == {str(v): r for v, r in before.items()}
    assert version not in {str(v) for v in before}
    new = after[version]
    assert sorted(new.get("fragments", [])) == fragment_names()
    assert [path.name for path in (tmp_path / "changelogs").glob("fragments/*.y*ml")] == []
    listed = {("module", m["name"]) for m in new.get("modules", [])}
    listed.update((t, p["name"]) for t, plugins in new.get("plugins", {}).items() for p in plugins)
    assert listed == {key for key, added in plugin_docs().items() if added == version}
    result = run([antsibull_changelog, "lint-changelog-yaml", "changelogs/changelog.yaml"], cwd=tmp_path)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_version_added_is_released_or_the_next():
    # A version_added (of a plugin, an option or a return value) names a release in
    # changelog.yaml or galaxy.yml's version: a version in between was released without
    # its changelog (make changelog-release).
    known = {str(version) for version in load("changelogs/changelog.yaml")["releases"]}
    known.add(str(load("galaxy.yml")["version"]))
    unknown = sorted({"%s (%s)" % (version, os.path.relpath(path, REPO_ROOT))
                      for _type, _name, path, docs in plugin_files() for version in versions_added(docs)
                      if version not in known})
    assert unknown == [], "not in changelog.yaml nor galaxy.yml: %s" % unknown
