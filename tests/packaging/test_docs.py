"""The collection's documentation lints clean and builds as a docs site with antsibull-docs.

antsibull-docs (requirements/packaging.txt) reads the collection the way the Ansible
docsite does: through ansible-doc, from an ansible_collections/ tree. tests/conftest.py
links this checkout at .build/pytest-collections/ansible_collections/rackspace/cloudbackup,
and ANSIBLE_COLLECTIONS_PATH points there and nowhere else.

The site is the one ``antsibull-docs sphinx-init`` sets up (its build.sh: RST generation
with --fail-on-error, then ``sphinx-build -W --keep-going``), built offline: conf.py gets
no intersphinx inventories, and the two ansible-core docsite labels every generated page
links to are declared as known-missing. Any other broken reference still fails the build.
"""
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ANTSIBULL_DOCS = os.path.join(BIN, "antsibull-docs")
COLLECTIONS = os.path.join(REPO_ROOT, ".build", "pytest-collections")
COLLECTION_DIR = os.path.join(COLLECTIONS, "ansible_collections", "rackspace", "cloudbackup")

MODULES = ["cloudbackup_action", "cloudbackup_auth", "cloudbackup_configuration", "cloudbackup_info", "cloudbackup_report", "cloudbackup_restore"]
ROLES = ["run_backup"]

# Appended to the generated conf.py: no network, and the labels of docs.ansible.com that
# the generated pages reference (return values common to all modules, config settings).
OFFLINE_CONF = """
# --- tests/packaging/test_docs.py: offline build ---
intersphinx_mapping = {}
nitpick_ignore = [
    ("std:ref", "common_return_values"),
    ("std:ref", "ansible_configuration_settings"),
]
"""


def environment():
    return dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
                ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1")


def run(command, cwd=REPO_ROOT, timeout=300):
    return subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def antsibull_docs():
    if not os.path.exists(ANTSIBULL_DOCS):
        pytest.fail("antsibull-docs is missing: %s/pip install -r requirements/packaging.txt" % BIN)
    return ANTSIBULL_DOCS


@pytest.fixture(scope="module")
def site(antsibull_docs, tmp_path_factory):
    """A docs site made by sphinx-init and built by its build.sh: the site folder."""
    root = tmp_path_factory.mktemp("docsite")
    init = run([antsibull_docs, "sphinx-init", "--use-current", "--fail-on-error", "--dest-dir", str(root),
                "--sphinx-theme", "alabaster", "--project", "rackspace.cloudbackup",
                "rackspace.cloudbackup"])
    assert init.returncode == 0, init.stdout + init.stderr
    with open(root / "conf.py", "a", encoding="utf-8") as conf:
        conf.write(OFFLINE_CONF)
    build = run(["bash", str(root / "build.sh")], cwd=root)
    assert build.returncode == 0, build.stdout + build.stderr
    return root


def test_lint_collection_docs(antsibull_docs):
    result = run([antsibull_docs, "lint-collection-docs", "--plugin-docs", "--validate-collection-refs", "all",
                  "--disallow-unknown-collection-refs", COLLECTION_DIR])
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("page", ["%s_module" % name for name in MODULES] + ["%s_role" % name for name in ROLES])
def test_site_has_a_page_for(site, page):
    pages = site / "rst" / "collections" / "rackspace" / "cloudbackup"
    rst = (pages / (page + ".rst")).read_text(encoding="utf-8")
    assert "rackspace.cloudbackup." + page.rsplit("_", 1)[0] in rst
    assert "ERROR" not in rst
    html = site / "build" / "html" / "collections" / "rackspace" / "cloudbackup" / (page + ".html")
    assert html.is_file()


def test_collection_index_lists_every_module_and_role(site):
    index = (site / "rst" / "collections" / "rackspace" / "cloudbackup" / "index.rst").read_text(encoding="utf-8")
    for name in MODULES:
        assert "%s_module" % name in index, name
    for name in ROLES:
        assert "%s_role" % name in index, name


def test_role_page_documents_its_entry_point_options(site):
    html = (site / "build" / "html" / "collections" / "rackspace" / "cloudbackup" / "run_backup_role.html").read_text(
        encoding="utf-8")
    assert "Entry point <code" in html or "Entry point" in html
    assert "run_backup_progress_interval" in html


def test_module_pages_show_the_shared_options_and_examples(site):
    for name in MODULES:
        html = (site / "build" / "html" / "collections" / "rackspace" / "cloudbackup" / ("%s_module.html" % name)
                ).read_text(encoding="utf-8")
        for option in ("api_key", "region", "validate_certs"):
            assert option in html, (name, option)
        assert "Examples" in html, name
        assert "Return Values" in html, name
