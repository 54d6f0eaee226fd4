"""Make this checkout importable as ansible_collections.rackspace.cloudbackup.

Modules and module_utils import each other by their collection name, so the tests need
the repository to sit at .../ansible_collections/rackspace/cloudbackup. A symlink under
the ignored .build/ folder is enough for Python's import system and for ansible-playbook
(ansible-test, which resolves real paths, gets a copy instead: see scripts/sanity.sh).
"""
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS_ROOT = os.path.join(REPO_ROOT, ".build", "pytest-collections")


def _link_collection() -> None:
    namespace_dir = os.path.join(COLLECTIONS_ROOT, "ansible_collections", "rackspace")
    link = os.path.join(namespace_dir, "cloudbackup")
    os.makedirs(namespace_dir, exist_ok=True)
    if not os.path.islink(link):
        os.symlink(REPO_ROOT, link)


_link_collection()
# With CLOUDBACKUP_COLLECTIONS_PATH set (scripts/test_installed.sh), the tests import the
# collection installed there from the built tarball instead of this checkout.
IMPORT_ROOT = os.path.abspath(os.environ.get("CLOUDBACKUP_COLLECTIONS_PATH") or COLLECTIONS_ROOT)
if IMPORT_ROOT not in sys.path:
    sys.path.insert(0, IMPORT_ROOT)
