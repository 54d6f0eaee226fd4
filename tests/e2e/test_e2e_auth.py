"""End-to-end: cloudbackup_auth logs in once; later tasks reuse its token through module_defaults.

The module's cases (what it returns, reuse and renewal of the token, a token alone, check
mode) are in tests/integration/targets/cloudbackup_auth, run by `ansible-test integration`
(scripts/integration.sh). What stays here needs pytest: the screen output of -vvv, and the
EXAMPLES of the collection under test (the checkout or the installed tarball).

The credentials come from RAX_USERNAME / RAX_API_KEY (set by the e2e fixtures), so later
tasks also have them at hand to renew the token.
"""
import json

import yaml

from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_auth

GROUP = "group/rackspace.cloudbackup.cloudbackup"
LOGIN = {"name": "log in", "rackspace.cloudbackup.cloudbackup_auth": {}, "run_once": True, "no_log": True,
         "register": "login"}
WITH_TOKEN = {GROUP: {"auth_token": "{{ login.auth_token }}", "tenant_id": "{{ login.tenant_id }}",
                      "endpoint": "{{ login.endpoint }}"}}
LATER_TASKS = [
    {"name": "agents", "rackspace.cloudbackup.cloudbackup_info": {"resource": "agents"}},
    {"name": "report", "rackspace.cloudbackup.cloudbackup_report": {"backup_id": 100001}},
]


def play(*tasks):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}], sort_keys=False)


def with_token(*tasks):
    return {"name": "with the token", "module_defaults": WITH_TOKEN, "block": list(tasks)}


def test_the_token_never_shows_at_vvv(run_playbook, simulator, tmp_path):
    token_file = tmp_path / "token.txt"
    keep_token = {"name": "keep the token for the test", "no_log": True,
                  "ansible.builtin.copy": {"content": "{{ login.auth_token }}", "dest": str(token_file)}}

    run = run_playbook(play(LOGIN, keep_token, with_token(*LATER_TASKS)), "-vvv")

    assert run.rc == 0, run.output
    token = token_file.read_text()
    assert len(token) >= 32
    assert token not in run.output
    assert token not in json.dumps(run.results)
    assert simulator.info["api_key"] not in run.output


def test_the_examples_run(run_playbook, simulator):
    examples = yaml.safe_load(cloudbackup_auth.EXAMPLES)

    run = run_playbook(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": examples}]))

    assert run.rc == 0, run.output
    assert run.result("List the agents without logging in again")["agents"]
    assert len(simulator.requests(route="identity.tokens")) == 1
