"""Tests of playbooks/configure_backups.yml's filter: each host's own result, from the batch's."""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.filter.configure_backups import configure_backups_results


def element(outcome, changed=False, failed=False, msg=None, changed_settings=()):
    return dict(outcome=outcome, changed=changed, failed=failed, msg=msg, changed_settings=list(changed_settings))


def test_each_host_gets_its_element_in_order():
    batch = {"configurations": [element("created", changed=True),
                                element("updated", changed=True, changed_settings=["retention_days", "include"]),
                                element("failed", failed=True, msg="agent 9 is not the account's"),
                                element("unchanged")]}
    results = configure_backups_results(batch, ["web1", "web2", "ghost", "db1"])
    assert results == {
        "web1": {"msg": "created", "changed": True, "failed": False},
        "web2": {"msg": "updated (retention_days, include)", "changed": True, "failed": False},
        "ghost": {"msg": "failed: agent 9 is not the account's", "changed": False, "failed": True},
        "db1": {"msg": "unchanged", "changed": False, "failed": False},
    }


def test_a_failure_that_may_have_changed_something_says_so():
    batch = {"configurations": [element("failed", changed=True, failed=True, msg="HTTP 500; a configuration "
                                        "'x' may have been created")]}
    assert configure_backups_results(batch, ["web1"])["web1"]["changed"] is True


def test_a_batch_of_another_size_is_refused():
    with pytest.raises(ValueError, match="2 configurations for 1 hosts"):
        configure_backups_results({"configurations": [element("created"), element("created")]}, ["web1"])
