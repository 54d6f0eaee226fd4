"""The end-to-end tests run the collection they mean to: the checkout, or the installed tarball.

See collection_under_test.py. Under scripts/test_installed.sh, this proves that
ansible-playbook, ansible-doc and the tests' own imports all resolve
rackspace.cloudbackup to the copy installed from the tarball, not to this checkout.
"""
import json
import os
import subprocess
import sys

from collection_under_test import COLLECTION_DIR, COLLECTIONS_PATH, INSTALLED, REPO_ROOT

from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_auth

ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
MODULES = ["cloudbackup_action", "cloudbackup_auth", "cloudbackup_info", "cloudbackup_report", "cloudbackup_restore"]


def inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([path, folder]) == folder


def test_ansible_finds_every_module_in_the_collection_under_test(tmp_path):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_PATH, ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    done = subprocess.run([ANSIBLE_DOC, "--json", *("rackspace.cloudbackup." + name for name in MODULES)],
                          env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    docs = json.loads(done.stdout)
    assert sorted(docs) == sorted("rackspace.cloudbackup." + name for name in MODULES)
    for name, doc in docs.items():
        assert inside(doc["doc"]["filename"], COLLECTION_DIR), (name, doc["doc"]["filename"])


def test_the_tests_import_the_collection_under_test():
    assert inside(cloudbackup_auth.__file__, COLLECTION_DIR), cloudbackup_auth.__file__


def test_an_installed_copy_is_the_tarball_not_the_checkout():
    if not INSTALLED:
        assert os.path.realpath(COLLECTION_DIR) == os.path.realpath(REPO_ROOT)
        return
    assert os.path.realpath(COLLECTION_DIR) != os.path.realpath(REPO_ROOT)
    assert not os.path.islink(COLLECTION_DIR)
    with open(os.path.join(COLLECTION_DIR, "MANIFEST.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    assert manifest["collection_info"]["namespace"] == "rackspace"
    assert manifest["collection_info"]["name"] == "cloudbackup"
    for left_out in ("simulator", "tests/e2e", "scripts", ".git"):
        assert not os.path.exists(os.path.join(COLLECTION_DIR, left_out)), left_out
