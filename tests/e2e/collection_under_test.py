"""Where the end-to-end tests find the collection they run: the checkout, or an installed copy.

By default, the checkout itself, through the symlink tests/conftest.py makes at
.build/pytest-collections/ansible_collections/rackspace/cloudbackup. With
CLOUDBACKUP_COLLECTIONS_PATH set (scripts/test_installed.sh sets it), a collections path
into which the built tarball was installed: ansible-playbook gets it as
ANSIBLE_COLLECTIONS_PATH, and the tests read the modules' EXAMPLES and the playbooks
from there, so nothing comes from the source tree but the tests, the simulator and
scripts/with_simulator.py (none of which are in the tarball).
"""
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INSTALLED = bool(os.environ.get("CLOUDBACKUP_COLLECTIONS_PATH"))
COLLECTIONS_PATH = os.path.abspath(os.environ.get("CLOUDBACKUP_COLLECTIONS_PATH")
                                   or os.path.join(REPO_ROOT, ".build", "pytest-collections"))
COLLECTION_DIR = os.path.join(COLLECTIONS_PATH, "ansible_collections", "rackspace", "cloudbackup")
PLAYBOOKS = os.path.join(COLLECTION_DIR, "playbooks")
