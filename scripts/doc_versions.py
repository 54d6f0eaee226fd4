"""The collection versions that the user documents tell users to install: found, checked, rewritten.

    python scripts/doc_versions.py           # rewrite them for galaxy.yml's version (make changelog-release)
    python scripts/doc_versions.py --check   # list each one that excludes galaxy.yml's version; exit 1 if any

A version a document names is one of: the version range of a requirement of
rackspace.cloudbackup (``- name: rackspace.cloudbackup`` then ``version: ">=0.3.0,<1.0.0"``,
as in an execution-environment.yml or a collections/requirements.yml), the spec of an
``ansible-galaxy collection install rackspace.cloudbackup:<spec>``, the name of the
collection's tarball (``rackspace-cloudbackup-0.3.0.tar.gz``) and the tag of an execution
environment image built with it (``.../cloudbackup:0.3.0``). A range is rewritten as
``>=<version>,<<next major>.0.0``: every release of the major version from this one on, the
first that has what the documents describe; a pinned version becomes this one. tests/packaging/test_user_docs.py checks the
documents with the same patterns.
"""
import argparse
import operator
import re
import sys
from pathlib import Path
from typing import Callable, List, NamedTuple

import yaml
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "docs/awx.md", "roles/run_backup/README.md")


class Mention(NamedTuple):
    """One version a document names: what it is, the spec it gives (a range, or ==version), its line."""
    kind: str
    spec: str
    line: int


def _range(old: str, version: str) -> str:
    """A range that takes ``version`` and what follows it in its major version; a pin stays a pin."""
    if old[:1].isdigit():
        return version
    return ">=%s,<%d.0.0" % (version, int(version.split(".")[0]) + 1)


def _exact(old: str, version: str) -> str:
    return version


# kind, pattern (its group "value" is the version or the range), how a release rewrites the value,
# whether the value is a range (else one version).
PATTERNS = (
    ("a requirement's version range",
     re.compile(r"name: rackspace\.cloudbackup[ \t]*\n[ \t]*version:[ \t]*[\"']?(?P<value>[^\"'\n]+?)[\"']?[ \t]*$",
                re.MULTILINE), _range, True),
    ("an ansible-galaxy install spec", re.compile(r"rackspace\.cloudbackup:(?P<value>[<>=!]*\d[^\s\"']*)"), _range,
     True),
    ("the collection tarball", re.compile(r"rackspace-cloudbackup-(?P<value>\d+\.\d+\.\d+)\.tar\.gz"), _exact, False),
    ("an execution environment image tag", re.compile(r"/cloudbackup:(?P<value>\d+\.\d+\.\d+)\b"), _exact, False),
)


def galaxy_version() -> str:
    return str(yaml.safe_load((REPO / "galaxy.yml").read_text())["version"])


def mentions(text: str) -> List[Mention]:
    """Every collection version ``text`` names, in the order of the patterns."""
    found = []
    for kind, pattern, _rewrite, is_range in PATTERNS:
        for match in pattern.finditer(text):
            value = match.group("value")
            found.append(Mention(kind, value if is_range else "==" + value, text.count("\n", 0, match.start()) + 1))
    return found


# A version range as ansible-galaxy reads it: comparisons joined by commas, "*" for any, a bare
# version for ==. (Not ansible-galaxy's own function: importing Ansible's controller code into
# the test process changes how module warnings reach the unit tests' results.)
COMPARISONS = (("==", operator.eq), ("!=", operator.ne), (">=", operator.ge), ("<=", operator.le),
               (">", operator.gt), ("<", operator.lt))


def allows(spec: str, version: str) -> bool:
    """Whether ``spec`` (a range as ansible-galaxy reads it, or ==version) takes ``version``."""
    for part in (part.strip() for part in spec.split(",")):
        if part == "*":
            continue
        sign, compare = next(((sign, compare) for sign, compare in COMPARISONS if part.startswith(sign)),
                             ("", operator.eq))
        if not compare(Version(version), Version(part[len(sign):].strip())):
            return False
    return True


def rewritten(text: str, version: str) -> str:
    """``text`` with every version it names made to take ``version`` (see the module's docstring)."""
    for _kind, pattern, rewrite, _is_range in PATTERNS:
        text = pattern.sub(_replacer(rewrite, version), text)
    return text


def _replacer(rewrite: Callable[[str, str], str], version: str) -> Callable[["re.Match[str]"], str]:
    def replace(match: "re.Match[str]") -> str:
        start, end = match.span("value")
        new = rewrite(match.group("value"), version)
        return match.group(0)[:start - match.start()] + new + match.group(0)[end - match.start():]
    return replace


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list the versions that exclude galaxy.yml's")
    args = parser.parse_args()
    version = galaxy_version()
    excluded = 0
    for name in DOCUMENTS:
        path = REPO / name
        text = path.read_text()
        if not args.check:
            path.write_text(rewritten(text, version))
            continue
        for mention in mentions(text):
            if not allows(mention.spec, version):
                excluded += 1
                print("%s:%d: %s %s excludes %s (galaxy.yml)" % (name, mention.line, mention.kind, mention.spec, version))
    return 1 if excluded else 0


if __name__ == "__main__":
    sys.exit(main())
