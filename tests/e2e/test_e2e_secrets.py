"""The secrets table: plays at -vvv with --diff, with and without --check, against a server
whose error bodies echo the request's token and credentials.

Each row is a play whose task meets such an error where a user reads it (a failure
message, a retried request, a renewed token). The output of the whole run, every -vvv
line included, must hold no secret: not the API key, not the password, not any token the
simulator issued (32 hex characters) or that was given. Each row also checks that the echo
really happened, so that a row cannot pass by missing its fault.
"""
import re

import pytest

PASSWORD = "admin-password"
GIVEN_TOKEN = "0123456789abcdef0123456789abcdef"  # a token given as an option, never issued
TOKEN_PATTERN = re.compile(r"\b[0-9a-f]{32}\b")
ECHO = dict(echo_token=True, count=None)


def play(tasks, hosts="localhost"):
    return "- hosts: %s\n  gather_facts: false\n  tasks:\n%s" % (hosts, tasks)


# The start's reads (the configuration, its runs in the feed) are where its rows meet their
# faults. The agent is woken first: a single start waits for an offline agent to come online
# (online_timeout, 120 s) rather than waking it. Waiting for the backup's end adds nothing.
START = play("""
    - name: Wake the agent
      rackspace.cloudbackup.cloudbackup_action: {action: wake_agents, agent_id: 300001, poll_interval: 1}
    - name: Start a backup
      rackspace.cloudbackup.cloudbackup_action: {action: start, configuration_id: 400001, wait: false}
""")
STOP = play("""
    - name: Stop a backup
      rackspace.cloudbackup.cloudbackup_action: {action: stop, backup_id: 100001}
""")
WAKE = play("""
    - name: Wake an agent
      rackspace.cloudbackup.cloudbackup_action: {action: wake_agents, agent_id: 300001, online_timeout: 10}
""")
INFO = play("""
    - name: List the agents
      rackspace.cloudbackup.cloudbackup_info: {resource: agents}
""")
REPORT = play("""
    - name: Report on a backup
      rackspace.cloudbackup.cloudbackup_report: {backup_id: 100001, acceptable_states: [Completed]}
""")
LOGIN_WITH_PASSWORD = play("""
    - name: List the agents, logging in with a password
      rackspace.cloudbackup.cloudbackup_info: {resource: agents, password: %s}
      environment: {RAX_API_KEY: ""}
""" % PASSWORD)
GIVEN_TOKEN_PLAY = play("""
    - name: List the agents with a token given as an option
      rackspace.cloudbackup.cloudbackup_info:
        resource: agents
        auth_token: %s
        tenant_id: "123456"
        endpoint: "{{ lookup('env', 'CLOUDBACKUP_ENDPOINT') }}"
        username: null
        api_key: null
""" % GIVEN_TOKEN)
RESTORE = play("""
    - name: Restore a backup
      rackspace.cloudbackup.cloudbackup_restore: {backup_id: 100001, destination_path: /, poll_interval: 1}
""")
CONFIGURE = play("""
    - name: Declare a configuration
      rackspace.cloudbackup.cloudbackup_configuration: {agent_id: 300001, name: declared, include: [/srv]}
""")
CONFIGURE_BATCH = play("""
    - name: Declare configurations
      rackspace.cloudbackup.cloudbackup_configuration:
        configurations: [{agent_id: 300001, name: declared, include: [/srv]}, {agent_id: 300002, name: other}]
""")
ROLE = """
- hosts: servers
  gather_facts: false
  roles:
    - rackspace.cloudbackup.run_backup
"""

# row: (playbook, the fault's route, the fault, runs the role)
ROWS = {
    "start: the feed's error echoes the token": (START, "activity.agent", dict(status=400, **ECHO), False),
    "start: a 500 echoing the token, retried": (
        START, "configuration.get", dict(status=500, echo_token=True, count=2), False),
    "stop: the backup read echoes the token": (STOP, "backup.get", dict(status=400, **ECHO), False),
    "wake: the agent read echoes the token": (WAKE, "agent.get", dict(status=400, **ECHO), False),
    "info: a lasting 503 echoes the token": (INFO, "agent.list", dict(status=503, **ECHO), False),
    "report: the report echoes the token": (REPORT, "backup.report", dict(status=400, **ECHO), False),
    "login: Identity echoes the API key": (INFO, "identity.tokens", dict(status=400, **ECHO), False),
    "login: Identity echoes the password": (LOGIN_WITH_PASSWORD, "identity.tokens", dict(status=400, **ECHO), False),
    "renewal: the token expires, the next error echoes the new one": (
        INFO, "agent.list", dict(status=401, echo_token=True, count=2), False),
    "given token: the error echoes it": (GIVEN_TOKEN_PLAY, "agent.list", dict(status=400, **ECHO), False),
    "role: the batch start's feed echoes the token": (ROLE, "activity.user", dict(status=400, **ECHO), True),
    "restore: the restore activity read echoes the token": (RESTORE, "activity.user", dict(status=400, **ECHO), False),
    "configure: the configuration list echoes the token": (
        CONFIGURE, "configuration.list", dict(status=400, **ECHO), False),
    "configure a batch: a 503 echoing the token, retried": (
        CONFIGURE_BATCH, "configuration.list", dict(status=503, echo_token=True, count=2), False),
}
MODES = {"-vvv --diff": ("-vvv", "--diff"), "-vvv --diff --check": ("-vvv", "--diff", "--check")}


@pytest.mark.slow  # 28 plays: the main pass runs them, the other ansible-core and the tarball passes do not
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("row", ROWS)
def test_no_secret_in_any_output(run_playbook, simulator, servers, row, mode):
    playbook, route, fault, role = ROWS[row]
    simulator.add_fault(route=route, **fault)
    inventory = servers({"alpha": {"run_backup_configuration_name": "nightly"}}) if role else []

    run = run_playbook(playbook, *inventory, *MODES[mode], env={"CLOUDBACKUP_ENDPOINT": simulator.info["endpoint"]})

    echoed = [entry for entry in simulator.requests(route=route) if entry["fault"]]
    assert echoed, "the play never met its fault: %s" % run.output
    for secret in (simulator.info["api_key"], PASSWORD, GIVEN_TOKEN):
        assert secret not in run.output
    assert TOKEN_PATTERN.findall(run.output) == []
    if run.rc != 0:
        assert "********" in run.output  # the echo reached the failure message, masked
