"""Tests for module_utils/_restores.py that need no API: matching a restore to a request.

The restore life cycle against an API (drafts, unclear answers, clean-up) is tested through
the module, against the in-process simulator: tests/unit/plugins/modules/test_cloudbackup_restore.py.
"""
import pytest

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._restores import (
    RestoreRequest,
    restore_items,
    same_path,
)

BACKUP = {"backup_id": 368785, "machine_agent_id": 202743}


@pytest.mark.parametrize("one, other, same", [
    ("/", "/", True),
    ("/srv/", "/srv", True),
    ("/srv//", "/srv", True),
    ("C:\\Data\\", "C:\\Data", True),
    ("/srv", "/srv/www", False),
    ("/", "/srv", False),
    ("/srv", "/SRV", False),  # case matters on the servers that back up
    (None, "", True),
])
def test_same_path_ignores_trailing_separators_only(one, other, same):
    assert same_path(one, other) is same


def request(**overrides):
    arguments = dict(backup=BACKUP, destination_agent_id=202743, destination_path="/srv/", overwrite=False)
    arguments.update(overrides)
    return RestoreRequest(**arguments)


@pytest.mark.parametrize("item, may_be", [
    ({"destination_machine_agent_id": 202743, "backup_id": 368785}, True),
    ({"destination_machine_agent_id": 202743}, True),  # no BackupId before 2014: read the restore to tell
    ({"destination_machine_agent_id": 202743, "backup_id": 1}, False),
    ({"destination_machine_agent_id": 202744, "backup_id": 368785}, False),
])
def test_an_activity_item_may_be_the_request_when_backup_and_destination_agree(item, may_be):
    assert request().may_be(item) is may_be


@pytest.mark.parametrize("restore, matches", [
    ({"backup_id": 368785, "destination_machine_id": 202743, "destination_path": "/srv"}, True),
    ({"backup_id": 368785, "destination_machine_id": 202743, "destination_path": "/"}, False),
    ({"backup_id": 368785, "destination_machine_id": 202744, "destination_path": "/srv/"}, False),
    ({"backup_id": 368786, "destination_machine_id": 202743, "destination_path": "/srv/"}, False),
])
def test_a_restore_matches_the_request_by_backup_destination_and_path(restore, matches):
    assert request().matches(restore) is matches


def test_restore_items_are_the_restores_of_a_feed_in_any_case_of_type():
    feed = [{"id": 1, "type": "Backup"}, {"id": 2, "type": "Restore"}, {"id": 3, "type": "restore"},
            {"id": 4, "type": "Cleanup"}]
    assert [item["id"] for item in restore_items(feed)] == [2, 3]
