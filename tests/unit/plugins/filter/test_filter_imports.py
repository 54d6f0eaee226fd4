"""The filters load without the HTTP client.

Ansible loads a filter plugin in every forked worker that templates it, so a task of every
host that calls one (the run_backup role's) pays the plugin's imports once per host:
`requests` alone cost 0.1 s each, 20 s over 200 hosts.
"""
import os
import subprocess
import sys

import pytest

FILTERS = ("backup_report", "configure_backups", "restore", "run_backup")


@pytest.mark.parametrize("name", FILTERS)
def test_a_filter_plugin_does_not_import_requests(name):
    module = "ansible_collections.rackspace.cloudbackup.plugins.filter.%s" % name
    script = "import sys, %s; print(sorted(m for m in ('requests', 'urllib3') if m in sys.modules))" % module
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))).stdout
    assert output.strip() == "[]"
