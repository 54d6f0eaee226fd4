"""End-to-end: cloudbackup_auth logs in once; later tasks reuse its token through module_defaults.

The credentials come from RAX_USERNAME / RAX_API_KEY (set by the e2e fixtures), so later
tasks also have them at hand to renew the token.
"""
import json
import re

import yaml

from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_auth

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
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


def test_returns_the_token_tenant_endpoint_expiry_and_region(run_playbook, simulator):
    run = run_playbook(play({"name": "log in", "rackspace.cloudbackup.cloudbackup_auth": {}}))

    result = run.result("log in")
    assert run.status("log in") == "ok", run.output
    assert result["changed"] is False
    assert isinstance(result["auth_token"], str) and len(result["auth_token"]) >= 32
    assert (result["tenant_id"], result["endpoint"], result["region"]) == ("123456", simulator.info["endpoint"], "DFW")
    assert ISO_8601.match(result["expires"]), result["expires"]
    assert len(simulator.requests(route="identity.tokens")) == 1


def test_later_tasks_use_the_token_without_logging_in_again(run_playbook, simulator):
    run = run_playbook(play(LOGIN, with_token(*LATER_TASKS)))

    assert run.rc == 0, run.output
    assert "censored" in run.result("log in")
    assert len(run.result("agents")["agents"]) == 6
    assert run.result("report")["healthy"] is True
    assert len(simulator.requests(route="identity.tokens")) == 1
    assert simulator.requests(route="agent.list") and simulator.requests(route="backup.report")


def test_an_expired_token_is_renewed_with_the_credentials_at_hand(run_playbook, simulator):
    simulator.add_fault(route="agent.list", expire_tokens=True)

    run = run_playbook(play(LOGIN, with_token(*LATER_TASKS)))

    assert run.rc == 0, run.output
    assert [entry["status"] for entry in simulator.requests(route="agent.list")] == [401, 200]
    # The login of cloudbackup_auth, then one renewal in the info task; the report task
    # still holds the old token, so it renews as well when Cloud Backup rejects it.
    assert len(simulator.requests(route="identity.tokens")) == 3


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


def test_a_token_alone_is_not_enough_to_log_in(run_playbook, simulator):
    task = {"name": "log in", "ignore_errors": True, "rackspace.cloudbackup.cloudbackup_auth": {
        "auth_token": "0123456789abcdef0123456789abcdef", "tenant_id": "123456", "endpoint": simulator.info["endpoint"]}}

    run = run_playbook(play(task), env={"RAX_USERNAME": "", "RAX_API_KEY": ""})

    assert run.status("log in") == "failed"
    assert run.result("log in")["msg"].startswith("cloudbackup_auth logs in, so it needs username")
    assert simulator.requests(route="identity.tokens") == []


def test_check_mode_logs_in_all_the_same(run_playbook, simulator):
    run = run_playbook(play({"name": "log in", "rackspace.cloudbackup.cloudbackup_auth": {}}), "--check")

    assert run.status("log in") == "ok"
    assert run.result("log in")["tenant_id"] == "123456"


def test_the_examples_run(run_playbook, simulator):
    examples = yaml.safe_load(cloudbackup_auth.EXAMPLES)

    run = run_playbook(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": examples}]))

    assert run.rc == 0, run.output
    assert run.result("List the agents without logging in again")["agents"]
    assert len(simulator.requests(route="identity.tokens")) == 1
