"""The documents a user follows name only what exists, in versions that take this release.

README.md, docs/awx.md and roles/run_backup/README.md (scripts/doc_versions.DOCUMENTS):

- every YAML block parses;
- every collection version they name takes galaxy.yml's version (scripts/doc_versions.py
  finds them; a requirement of rackspace.cloudbackup in a YAML block is found on its own too,
  so a form the patterns miss fails here rather than going unchecked);
- every ``rackspace.cloudbackup.<name>`` is a module, filter, role or playbook of the
  collection (or its action group), and every ``playbooks/...``, ``roles/...`` or other path
  of this repository exists;
- every task of one of the collection's modules in a YAML block gives only options of that
  module;
- every variable of the role and the playbooks they name (``run_backup_*``, ``restore_*``,
  ``pre_upgrade_backup_*``, ``backup_report_*``) is one that the role or a playbook reads or
  sets, or a filter of the collection.

That `make changelog-release` keeps the versions true is checked here too: rewriting the
documents for another version makes every version they name take that one.
"""
import ast
import importlib.util
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, Set, Tuple

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("doc_versions", REPO / "scripts" / "doc_versions.py")
doc_versions = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(doc_versions)

DOCUMENTS = doc_versions.DOCUMENTS
COLLECTION = "rackspace.cloudbackup"
YAML_BLOCK = re.compile(r"^```ya?ml[ \t]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
# A name that goes on with a placeholder ("rackspace.cloudbackup.run_backup_<x>") names no one thing.
COLLECTION_NAME = re.compile(r"\brackspace\.cloudbackup\.(?P<name>[a-z][a-z_]*[a-z])(?![\w*<])")
# A path into this repository: it starts with one of its top-level folders.
REPO_PATH = re.compile(r"(?<![\w./-])(?P<path>(?:plugins|playbooks|roles|tests|docs|scripts|simulator|meta|changelogs|extensions|"
                       r"requirements)/[\w./-]*\w)(?![\w./*<-])")
# A slice's record key (pre_upgrade_backups_<12 hex digits>) is a value, not a variable name.
VARIABLE = re.compile(r"\b(?P<name>(?:run_backup|restore|pre_upgrade_backups?|backup_report)_[a-z0-9_]*[a-z0-9])\b"
                      r"(?<![0-9a-f]{12})")


def read(name: str) -> str:
    return (REPO / name).read_text()


def yaml_blocks(text: str) -> Iterator[Tuple[int, str]]:
    """Each YAML block of a Markdown text: its first line's number, its body."""
    for match in YAML_BLOCK.finditer(text):
        yield text.count("\n", 0, match.start()) + 2, match.group("body")


def walk(data: Any) -> Iterator[Any]:
    """Every value of a parsed YAML document, itself included, depth first."""
    yield data
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else ()
    for child in children:
        yield from walk(child)


def parsed_blocks(name: str) -> Iterator[Tuple[int, Any]]:
    for line, body in yaml_blocks(read(name)):
        yield line, yaml.safe_load(body)


# --- what the collection has -------------------------------------------------------------

def collection_names() -> Set[str]:
    """What ``rackspace.cloudbackup.<name>`` may name: modules, filters, roles, playbooks, the action group."""
    names = {path.stem for path in (REPO / "plugins" / "modules").glob("*.py")}
    names |= {path.stem for path in (REPO / "plugins" / "filter").glob("*.yml")}
    names |= {path.name for path in (REPO / "roles").iterdir() if path.is_dir()}
    names |= {path.stem for path in (REPO / "playbooks").glob("*.yml")}
    return names | set(yaml.safe_load(read("meta/runtime.yml"))["action_groups"])


def module_options(module: str) -> Set[str]:
    """The options of one of the collection's modules, from its DOCUMENTATION and doc fragments."""
    source = read("plugins/modules/%s.py" % module)
    documentation = next(node.value.value for node in ast.parse(source).body if isinstance(node, ast.Assign)
                         and getattr(node.targets[0], "id", None) == "DOCUMENTATION")
    doc = yaml.safe_load(documentation)
    options = set(doc.get("options") or {})
    for fragment in doc.get("extends_documentation_fragment") or []:
        names = fragment.split(".")  # rackspace.cloudbackup.<fragment>[.<part>]
        options |= set(fragment_options(names[2], names[3] if len(names) > 3 else None))
    return options


def fragment_options(fragment: str, part: Any) -> Dict[str, Any]:
    source = read("plugins/doc_fragments/%s.py" % fragment)
    tree = ast.parse(source)
    wanted = (part or "DOCUMENTATION").upper()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == wanted:
            return yaml.safe_load(node.value.value).get("options") or {}
    return {}


def known_variables() -> Set[str]:
    """Every name of the variable patterns that the role, the playbooks, the filters or the modules use.

    (A module's option or value, such as cloudbackup_info's ``resource: restore_activity``,
    has such a name too.)
    """
    texts = [path.read_text() for folder in ("roles", "playbooks") for path in (REPO / folder).rglob("*.y*ml")]
    texts += [path.stem for path in (REPO / "plugins" / "filter").glob("*.yml")]
    texts += [path.read_text() for path in (REPO / "plugins" / "modules").glob("*.py")]
    return {match.group("name") for text in texts for match in VARIABLE.finditer(text)}


# --- the checks ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_yaml_block_parses(name):
    for line, body in yaml_blocks(read(name)):
        try:
            yaml.safe_load(body)
        except yaml.YAMLError as err:
            pytest.fail("%s:%d: %s" % (name, line, err))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_collection_version_a_document_names_takes_this_release(name):
    version = doc_versions.galaxy_version()
    excluded = ["%s:%d: %s %s" % (name, mention.line, mention.kind, mention.spec)
                for mention in doc_versions.mentions(read(name)) if not doc_versions.allows(mention.spec, version)]
    assert excluded == [], "these exclude %s, galaxy.yml's version" % version


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_requirement_of_the_collection_in_a_yaml_block_is_checked(name):
    version = doc_versions.galaxy_version()
    requirements = [(line, item.get("version")) for line, data in parsed_blocks(name) for item in walk(data)
                    if isinstance(item, dict) and item.get("name") == COLLECTION]
    for line, spec in requirements:
        assert spec is None or doc_versions.allows(str(spec), version), "%s:%d: %s excludes %s" % (
            name, line, spec, version)
    ranges = [mention for mention in doc_versions.mentions(read(name)) if mention.kind.startswith("a requirement")]
    assert len(ranges) == len([spec for line, spec in requirements if spec is not None]), (
        "a requirement's version that scripts/doc_versions.py does not find: a release would not update it")


def test_a_release_makes_every_version_take_the_new_one():
    for name in DOCUMENTS:
        text = read(name)
        for version in ("0.9.1", "1.4.0", "12.0.3"):
            assert all(doc_versions.allows(mention.spec, version)
                       for mention in doc_versions.mentions(doc_versions.rewritten(text, version))), (name, version)
        # Today's documents are what the release step writes for today's version.
        assert doc_versions.rewritten(text, doc_versions.galaxy_version()) == text, name


def test_the_versions_of_the_awx_guide_of_0_2_are_found_and_fail():
    """What the checks above would have said of docs/awx.md as 0.2.0 left it (pins ">=0.2.0,<0.3.0")."""
    old = '''      - name: rackspace.cloudbackup
        version: ">=0.2.0,<0.3.0"
ansible-builder build -f execution-environment.yml -t registry.example.com/ee/cloudbackup:0.2.0'''
    found = doc_versions.mentions(old)
    assert [(mention.kind, mention.spec) for mention in found] == [
        ("a requirement's version range", ">=0.2.0,<0.3.0"), ("an execution environment image tag", "==0.2.0")]
    assert not any(doc_versions.allows(mention.spec, "0.3.0") for mention in found)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_collection_name_a_document_gives_exists(name):
    known = collection_names()
    unknown = sorted({match.group("name") for match in COLLECTION_NAME.finditer(read(name))} - known)
    assert unknown == [], "%s names rackspace.cloudbackup.%s, which the collection does not have" % (name, unknown)


@pytest.mark.parametrize("name", DOCUMENTS + ("docs/dev/architecture.md",))
def test_every_path_of_the_repository_a_document_gives_exists(name):
    text = read(name)
    missing = sorted({match.group("path") for match in REPO_PATH.finditer(text)
                      if not any(char in match.group("path") for char in "*<>")
                      and not (REPO / match.group("path")).exists()
                      and not (REPO / name).parent.joinpath(match.group("path")).exists()})
    assert missing == []
    assert "shared/" not in text, "%s cites a file outside the repository" % name


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_task_of_a_module_of_the_collection_gives_only_its_options(name):
    modules = {path.stem for path in (REPO / "plugins" / "modules").glob("*.py")}
    problems = []
    for line, data in parsed_blocks(name):
        for item in walk(data):
            if not isinstance(item, dict):
                continue
            for key, args in item.items():
                module = str(key).replace(COLLECTION + ".", "")
                if module in modules and str(key).startswith(COLLECTION) and isinstance(args, dict):
                    unknown = sorted(set(args) - module_options(module))
                    if unknown:
                        problems.append("%s:%d: %s has no option %s" % (name, line, module, ", ".join(unknown)))
    assert problems == []


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_variable_of_the_role_and_playbooks_a_document_names_exists(name):
    known = known_variables()
    unknown = sorted({match.group("name") for match in VARIABLE.finditer(read(name))} - known)
    assert unknown == [], "%s names variables that no role, playbook or filter has" % name


def test_the_checks_see_the_names_they_check():
    """A check that finds nothing to check cannot fail: each finds something in the documents."""
    texts = "\n".join(read(name) for name in DOCUMENTS)
    assert len(doc_versions.mentions(texts)) >= 4
    assert len(set(COLLECTION_NAME.findall(texts))) >= 5
    assert len(set(VARIABLE.findall(texts))) >= 20
    assert len(set(REPO_PATH.findall(texts))) >= 5
    assert {"agent_id", "region", "wait_timeout"} <= module_options("cloudbackup_action")
    tasks = [item for name in DOCUMENTS for line, data in parsed_blocks(name) for item in walk(data)
             if isinstance(item, dict) and any(str(key).startswith(COLLECTION + ".cloudbackup_") for key in item)]
    assert len(tasks) >= 5
    assert os.path.isdir(REPO / "playbooks")
