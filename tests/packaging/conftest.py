"""The Galaxy tarball, built once per test session for every packaging test that needs it."""
import os
import subprocess
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSIBLE_GALAXY = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")


@pytest.fixture(scope="session")
def galaxy_tarball(tmp_path_factory):
    """Path of rackspace-cloudbackup-<version>.tar.gz built by `ansible-galaxy collection build`."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([ANSIBLE_GALAXY, "collection", "build", "--output-path", str(out), REPO_ROOT], check=True,
                   capture_output=True)
    (tarball,) = out.glob("rackspace-cloudbackup-*.tar.gz")
    return tarball
