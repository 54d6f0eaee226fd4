"""End-to-end: cloudbackup_report's documented EXAMPLES, run by ansible-playbook against the simulator.

The module's cases (history reports, the latest backup, the gate, waits, a lagging report, runs
without a report, check mode) are in tests/integration/targets/cloudbackup_report, run by
`ansible-test integration` (scripts/integration.sh). What stays here reads the EXAMPLES of
the collection under test (the checkout or the installed tarball), which a target cannot.
"""
import yaml

from ansible_collections.rackspace.cloudbackup.plugins.modules import cloudbackup_report


def test_the_examples_run(run_playbook, simulator):
    examples = yaml.safe_load(cloudbackup_report.EXAMPLES)
    playbook = yaml.safe_dump([{"hosts": "localhost", "gather_facts": False,
                                "vars": {"started": {"backup_id": 100001}}, "tasks": examples}])

    run = run_playbook(playbook)

    assert run.rc == 0, run.output
    assert len(run.results) == len(examples)
    assert run.result("Show it in one line")["msg"].startswith("nightly (backup 100002): CompletedWithErrors")
