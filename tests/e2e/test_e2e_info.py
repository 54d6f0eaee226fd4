"""End-to-end: cloudbackup_info's documented EXAMPLES, run by ansible-playbook against the simulator.

The module's cases (every resource, filters, activity, query, check mode, bad options) are in
tests/integration/targets/cloudbackup_info, run by `ansible-test integration`
(scripts/integration.sh). What stays here reads the EXAMPLES of the collection under test
(the checkout or the installed tarball), which a target cannot.
"""
import yaml

from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_info

ALPHA = 300001


# The examples read restore 500001: the scenario's first restore, made here first.
MAKE_A_RESTORE = {"name": "Make restore 500001", "rackspace.cloudbackup.cloudbackup_restore": {
    "backup_id": 100001, "destination_path": "/", "online_timeout": 30, "wait": False}}
WAKE_ALPHA = {"name": "Wake alpha", "rackspace.cloudbackup.cloudbackup_action": {
    "action": "wake_agents", "agent_id": ALPHA, "online_timeout": 30, "poll_interval": 1}}


def test_the_examples_run(run_playbook, simulator):
    examples = yaml.safe_load(cloudbackup_info.EXAMPLES)
    playbook = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                                "vars": {"server_uuid": "11111111-1111-4111-8111-111111111111"},
                                "tasks": [WAKE_ALPHA, MAKE_A_RESTORE] + examples}])

    run = run_playbook(playbook)

    assert run.rc == 0, run.output
    assert len(run.results) == len(examples) + 2
    assert run.result("The state of one restore")["restore"]["restore_id"] == 500001
    assert run.result("Find an agent by machine name and keep only its id and status")["query_result"] == [
        {"id": ALPHA, "status": "Online"}]  # woken above, for the restore
