"""The README's task examples and the AWX guide's project playbooks run against the simulator's demo account.

The README shows one example task (or two) per module, with the demo scenario's names and
ids (simulator/scenarios/demo.yml: web1's agent 202743 and its "web1 daily files", db1's
"db1 database dump", the first new backup 368785). A user can paste them into a play; so
does this test, with the connection from the RAX_* environment variables as `make demo`
gives it. Its other YAML blocks are parsed, and their names checked, by
tests/packaging/test_user_docs.py.
"""
import os
import re

import pytest
import yaml
from cloudbackup_simulator import Simulator

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(REPO_ROOT, "README.md")
AWX_GUIDE = os.path.join(REPO_ROOT, "docs", "awx.md")
DEMO_INVENTORY = os.path.join(REPO_ROOT, "playbooks", "inventory", "demo.yml")
YAML_BLOCK = re.compile(r"^```ya?ml[ \t]*\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
MODULE_PREFIX = "rackspace.cloudbackup.cloudbackup_"


def yaml_blocks(path):
    with open(path, encoding="utf-8") as stream:
        return [yaml.safe_load(match.group("body")) for match in YAML_BLOCK.finditer(stream.read())]


def readme_tasks():
    """The README's YAML blocks that are lists of tasks of the collection's modules, in order, as one list."""
    blocks = yaml_blocks(README)
    return [task for block in blocks if isinstance(block, list) and all(isinstance(task, dict) for task in block)
            and all(any(str(key).startswith(MODULE_PREFIX) for key in task) for task in block) for task in block]


@pytest.fixture(scope="module")
def demo():
    # x10 as `make demo`: the examples wait for a backup and a restore of tens of seconds.
    with Simulator(scenario=os.path.join(REPO_ROOT, "simulator", "scenarios", "demo.yml"), speed=10.0) as simulator:
        yield simulator


@pytest.fixture
def simulator(demo):
    """The demo account, fresh (run_playbook points ansible-playbook at it)."""
    demo.reset()
    return demo


# About 30 s: in the main pass only.
@pytest.mark.slow
def test_the_readme_task_examples_run_against_the_demo_account(run_playbook):
    tasks = readme_tasks()
    play = {"name": "The README's examples", "hosts": "localhost", "gather_facts": False,
            # Polls every second: the waits are for seconds here (cloudbackup_info and _auth do not wait).
            "module_defaults": {MODULE_PREFIX + name: {"poll_interval": 1} for name in ("action", "report", "restore")},
            "tasks": tasks}

    run = run_playbook(yaml.safe_dump([play], sort_keys=False))

    assert run.rc == 0, run.output
    modules = sorted({key[len(MODULE_PREFIX):] for task in tasks for key in task if key.startswith(MODULE_PREFIX)})
    assert modules == ["action", "auth", "configuration", "info", "report", "restore"]
    ran = [entry for entry in run.results if entry["task"] in {task["name"] for task in tasks}]
    assert len(ran) == len(tasks) and all(entry["status"] in ("ok", "changed") for entry in ran), run.output


def awx_project_playbooks():
    """The playbooks docs/awx.md tells users to put in their project: each imports one of the collection's."""
    return {block[0]["ansible.builtin.import_playbook"]: block for block in yaml_blocks(AWX_GUIDE)
            if isinstance(block, list) and len(block) == 1 and "ansible.builtin.import_playbook" in block[0]}


# About 40 s: in the main pass only.
@pytest.mark.slow
def test_the_awx_guides_project_playbooks_run_against_the_demo_account(run_playbook, simulator, tmp_path):
    playbooks = awx_project_playbooks()
    record = tmp_path / "backups.json"
    assert sorted(playbooks) == ["rackspace.cloudbackup.backup_report", "rackspace.cloudbackup.pre_upgrade_backup",
                                 "rackspace.cloudbackup.restore"]
    # As the workflow of the guide chains them: the backup job's record goes to the rollback job.
    for name, extra_vars in (("pre_upgrade_backup", "pre_upgrade_backup_record=%s" % record),
                             ("restore", "@%s" % record), ("backup_report", "backup_report_max_age=86400 backup_report_allow_errors=true")):
        run = run_playbook(yaml.safe_dump(playbooks["rackspace.cloudbackup." + name]), "-i", DEMO_INVENTORY,
                           "-e", extra_vars, "-e", "restore_progress_interval=3 restore_poll_interval=1")

        assert run.rc == 0, run.output
    # The rollback restored the three servers that the backup job recorded, once each.
    assert [entry["status"] for entry in simulator.requests("restore.start")] == [204] * 3
