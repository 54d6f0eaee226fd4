"""Tests of playbooks/restore.yml's filters: the backup chosen, the batch, the wait, the verdict, the table."""
import re

import pytest

from ansible_collections.rackspace.cloudbackup.plugins.filter.restore import (
    NOTHING_TO_RESTORE,
    restore_batch,
    restore_regions,
    restore_carry,
    restore_choice,
    restore_choices,
    restore_record_backups,
    restore_record_key,
    restore_recorded,
    restore_results,
    restore_table,
    restore_watch_list,
)

RECORD = {"web1": 368785}


@pytest.mark.parametrize("given, recorded, record_file, from_file, unrecorded, expected", [
    (5, RECORD, "/r.json", {"web1": 7}, "skip", (5, "restore_backup_id")),
    (None, RECORD, "/r.json", {"web1": 7}, "skip", (368785, "pre_upgrade_backups")),
    ("", None, "/r.json", {"web1": 7}, "skip", (7, "/r.json")),
    (None, None, "", None, "skip", (None, "newest")),            # no record at all: the newest backup
    (None, {"db1": 1}, "", None, "skip", (None, "not recorded")),  # left out of the record: not upgraded
    (None, None, "/r.json", {}, "skip", (None, "not recorded")),
    (None, {"db1": 1}, "", None, "newest", (None, "newest")),
    (None, {"web1": None}, "", None, "skip", (None, "not recorded")),  # recorded with null: not upgraded
    (None, {"web1": None}, "/r.json", {"web1": 7}, "skip", (None, "not recorded")),  # not filled in from the file
    (None, {"db1": 1}, "/r.json", {"web1": 7}, "skip", (7, "/r.json")),
])
def test_restore_choice_takes_the_first_source_with_an_id(given, recorded, record_file, from_file, unrecorded,
                                                          expected):
    choice = restore_choice("web1", given, recorded, record_file, from_file, unrecorded)
    assert (choice["backup_id"], choice["source"]) == expected


def test_restore_choices_chooses_for_each_request_by_its_own_id_and_unrecorded_rule():
    requests = [{"name": "web1", "restore_backup_id": None, "unrecorded": "skip", "destination_path": "/"},
                {"name": "web2", "restore_backup_id": 5, "unrecorded": "skip"},
                {"name": "web3", "restore_backup_id": "", "unrecorded": "newest"},
                {"name": "web4", "restore_backup_id": None, "unrecorded": "skip"}]

    chosen = restore_choices(requests, RECORD, "", None)

    assert [(request["name"], request["choice"]["backup_id"], request["choice"]["source"]) for request in chosen] == [
        ("web1", 368785, "pre_upgrade_backups"), ("web2", 5, "restore_backup_id"), ("web3", None, "newest"),
        ("web4", None, "not recorded")]
    assert chosen[0]["destination_path"] == "/" and "choice" not in requests[0]


def request(name="web1", backup_id=None, source="newest", **settings):
    """A server's restore__request fact, as playbooks/restore.yml sets it."""
    fact = {"name": name, "choice": {"backup_id": backup_id, "source": source}, "destination_agent_id": None,
            "destination_path": "/", "overwrite": True, "include": None, "exclude": None, "timeout": 14400,
            "on_timeout": "fail", "allow_errors": False, "max_errors": None, "configuration_id": None,
            "configuration_name": None, "agent": {"agent_id": None, "server_id": None, "machine_name": name}}
    fact.update(settings)
    return fact


def listing(kind, found, region=None, endpoint=None):
    """cloudbackup_info's result for one item of restore.yml's loop over the regions (restore_regions)."""
    return {"item": {"region": region, "endpoint": endpoint}, kind: found, "changed": False}


def batch_of(requests, agents, configurations, login=None):
    """restore_batch over the listings of the login's region only."""
    return restore_batch(requests, [listing("agents", agents)], [listing("configurations", configurations)], login)


AGENTS = [{"machine_agent_id": 300001, "machine_name": "WEB1", "host_server_id": "srv-web1"},
          {"machine_agent_id": 300002, "machine_name": "db1", "host_server_id": "srv-db1"}]


def configuration(configuration_id, name, agent_id=300001):
    return {"backup_configuration_id": configuration_id, "backup_configuration_name": name,
            "machine_agent_id": agent_id, "machine_name": "WEB1" if agent_id == 300001 else "db1",
            "is_deleted": False}


NIGHTLY = configuration(400001, "nightly")
DB_NIGHTLY = configuration(400002, "nightly", agent_id=300002)


# --- the batch: which restore each server gets ------------------------------------------

def test_a_server_with_a_backup_id_gets_an_element_with_it():
    batch = batch_of([request(backup_id=5, source="restore_backup_id", include=["/etc/"])], [], [])

    assert batch["restores"] == [{"name": "web1", "destination_agent_id": None, "destination_path": "/",
                                  "overwrite": True, "include": ["/etc/"], "exclude": None, "region": None,
                                  "endpoint": None, "backup_id": 5}]
    assert batch["plans"]["web1"]["failure"] is None
    assert batch["plans"]["web1"]["choice"] == {"backup_id": 5, "source": "restore_backup_id"}


def test_a_server_left_out_of_the_record_gets_no_element_and_does_not_fail():
    batch = batch_of([request(source="not recorded")], AGENTS, [NIGHTLY])

    assert batch["restores"] == []
    assert batch["plans"]["web1"]["failure"] is None


def test_a_server_without_a_backup_id_gets_its_agents_only_configuration():
    # Its agent by machine name, without case (Windows agents register in upper case).
    batch = batch_of([request()], AGENTS, [NIGHTLY, DB_NIGHTLY])

    assert [(element["name"], element["configuration_id"]) for element in batch["restores"]] == [("web1", 400001)]
    assert "backup_id" not in batch["restores"][0]
    assert batch["plans"]["web1"]["failure"] is None


@pytest.mark.parametrize("settings, expected", [
    ({"configuration_id": 9}, 9),                                   # its id, without looking
    ({"configuration_name": "files"}, 400003),
    ({"agent": {"agent_id": "300002", "server_id": None, "machine_name": "web1"}}, 400002),
    ({"agent": {"agent_id": None, "server_id": "srv-db1", "machine_name": "web1"}}, 400002),
])
def test_a_server_without_a_backup_id_names_its_configuration_as_the_role_does(settings, expected):
    configurations = [NIGHTLY, configuration(400003, "files"), DB_NIGHTLY]

    batch = batch_of([request(**settings)], AGENTS, configurations)

    assert [element["configuration_id"] for element in batch["restores"]] == [expected]


def test_a_name_two_configurations_of_the_agent_share_fails_that_server_with_both_ids():
    twins = [NIGHTLY, configuration(400004, "nightly"), DB_NIGHTLY]

    batch = batch_of([request(configuration_name="nightly"), request("db1")], AGENTS, twins)

    failure = batch["plans"]["web1"]["failure"]
    assert re.match(r'^2 live backup configurations of agent 300001 are named "nightly": 400001 \(agent 300001, '
                    r'WEB1\), 400004 \(agent 300001, WEB1\); give configuration_id$', failure)
    assert [element["name"] for element in batch["restores"]] == ["db1"]   # the others go on
    assert batch["plans"]["db1"]["failure"] is None


@pytest.mark.parametrize("settings, failure", [
    (dict(destination_path="  "), "restore_destination_path must not be empty or blank"),
    (dict(max_errors=-1), "restore_max_errors"),
    (dict(backup_id="abc", source="restore_backup_id"), "restore_backup_id"),
    (dict(destination_agent_id="0"), "restore_destination_agent_id must be an id"),
    (dict(configuration_id="x"), "run_backup_configuration_id"),
])
def test_a_server_with_a_bad_setting_fails_alone(settings, failure):
    configurations = [NIGHTLY, configuration(400002, "db", agent_id=300002)]
    batch = batch_of([request(**settings), request("db1")], AGENTS, configurations)

    assert failure in batch["plans"]["web1"]["failure"]
    assert [element["name"] for element in batch["restores"]] == ["db1"] and batch["plans"]["db1"]["failure"] is None


def test_a_server_that_names_another_account_than_the_first_servers_fails_alone():
    account = {"username": "admin", "tenant_id": None, "identity_url": "", "endpoint": None}
    batch = batch_of([request(backup_id=5, source="restore_backup_id", connection=account),
                      request("db1", backup_id=6, source="restore_backup_id", connection=dict(account, tenant_id="9")),
                      request("web2", backup_id=7, source="restore_backup_id", connection=dict(account, endpoint=""))],
                     [], [])

    assert [element["name"] for element in batch["restores"]] == ["web1", "web2"]   # blank is unset
    assert batch["plans"]["db1"]["failure"] == (
        'run_backup_tenant_id is "9" here but not set on web1, whose connection settings this play\'s batch uses: '
        'restore each account in a play of its own (one hosts: pattern or --limit each)')


def test_a_server_whose_agent_has_no_configuration_has_nothing_to_restore():
    batch = batch_of([request()], AGENTS, [])

    assert batch["restores"] == [] and batch["plans"]["web1"]["failure"] == NOTHING_TO_RESTORE


@pytest.mark.parametrize("agents, configurations, settings, failure", [
    (AGENTS, [NIGHTLY, configuration(400003, "files")], {},
     'agent 300001 has 2 live backup configurations ("files", "nightly"): give configuration_id or configuration_name'),
    (AGENTS, [NIGHTLY], {"configuration_name": "files"},
     'no live backup configuration of agent 300001 is named "files" (names in use: "nightly")'),
    ([], [NIGHTLY], {}, 'machine name "web1" matches no agent in the account of these credentials'),
    (AGENTS + [{"machine_agent_id": 300009, "machine_name": "web1"}], [NIGHTLY], {},
     'machine name "web1" matches 2 agents in the account of these credentials (300001, 300009): give agent_id'),
])
def test_an_agent_or_configuration_that_cannot_be_told_fails_saying_why(agents, configurations, settings, failure):
    batch = batch_of([request(**settings)], agents, configurations)

    assert batch["restores"] == [] and batch["plans"]["web1"]["failure"] == failure


@pytest.mark.parametrize("given, expected", [
    ({"destination_agent_id": "", "include": [], "exclude": "", "overwrite": 1},
     {"destination_agent_id": None, "include": None, "exclude": None, "overwrite": True}),
    ({"destination_agent_id": 300002, "exclude": ["/tmp/"], "overwrite": False},
     {"destination_agent_id": 300002, "include": None, "exclude": ["/tmp/"], "overwrite": False}),
])
def test_settings_left_empty_are_left_out_of_the_element(given, expected):
    element = batch_of([request(backup_id=5, source="restore_backup_id", **given)], [], [])["restores"][0]

    assert {key: element[key] for key in expected} == expected


LOGIN = {"region": "DFW", "endpoint": "https://proxy.example.com/v1.0/1",
         "endpoints": {"DFW": "https://dfw.example.com/v1.0/1", "ORD": "https://ord.example.com/v1.0/1"}}
OWN_REGION = {"region": "DFW", "endpoint": LOGIN["endpoint"]}


def test_each_servers_region_and_its_endpoint_go_into_its_element_the_logins_own_as_none():
    batch = batch_of([request(backup_id=5, source="restore_backup_id", region="dfw"),
                      request("ord1", backup_id=6, source="restore_backup_id", region="ord"),
                      request("ord2", backup_id=7, source="restore_backup_id", region="ORD"),
                      request("lon1", backup_id=8, source="restore_backup_id", region="LON"),
                      request("mars1", backup_id=9, source="restore_backup_id", region="mars")], [], [], LOGIN)

    assert [(element["name"], element["region"], element["endpoint"]) for element in batch["restores"]] == [
        ("web1", None, None), ("ord1", "ORD", LOGIN["endpoints"]["ORD"]), ("ord2", "ORD", LOGIN["endpoints"]["ORD"]),
        ("lon1", "LON", None)]   # an endpoint the catalog does not name: the module reads it
    assert "run_backup_region must be one of" in batch["plans"]["mars1"]["failure"]
    assert batch["regions"] == [OWN_REGION,
                                {"region": "ORD", "endpoint": LOGIN["endpoints"]["ORD"]},
                                {"region": "LON", "endpoint": None}]


def test_the_regions_to_list_are_each_once_without_the_ones_that_are_not():
    requests = [request(region=None), request("b", region="DFW"), request("c", region="ord"), request("d", region="x")]

    assert restore_regions(requests, LOGIN) == [OWN_REGION, {"region": "ORD", "endpoint": LOGIN["endpoints"]["ORD"]}]
    # Without a login: what the tasks would reach without being told, and ORD's endpoint read by the module.
    assert restore_regions(requests, None) == [{"region": None, "endpoint": None}, {"region": "DFW", "endpoint": None},
                                               {"region": "ORD", "endpoint": None}]


def test_a_server_without_a_backup_id_is_looked_for_among_its_regions_agents():
    ord_agents = [{"machine_agent_id": 700001, "machine_name": "ord1"}]
    ord_nightly = dict(configuration(700101, "nightly"), machine_agent_id=700001, machine_name="ord1")
    ord_item = {"region": "ORD", "endpoint": LOGIN["endpoints"]["ORD"]}
    batch = restore_batch([request(), request("ord1", region="ORD"), request("ord2", region="ord")],
                          [listing("agents", AGENTS, **OWN_REGION), dict(listing("agents", ord_agents), item=ord_item)],
                          [listing("configurations", [NIGHTLY], **OWN_REGION),
                           dict(listing("configurations", [ord_nightly]), item=ord_item)], LOGIN)

    assert [(element["name"], element["configuration_id"]) for element in batch["restores"]] == [
        ("web1", 400001), ("ord1", 700101)]
    assert batch["plans"]["ord2"]["failure"].startswith('machine name "ord2" matches no agent')


def test_a_region_whose_listing_failed_fails_its_own_servers_without_a_backup_id():
    # As ignore_errors registers it: no listing, the failure's message.
    failed = {"item": {"region": "ORD", "endpoint": None}, "failed": True, "msg": "HTTP 503 from agent/user",
              "changed": False}
    batch = restore_batch([request(), request("ord1", region="ORD"),
                           request("ord2", region="ORD", backup_id=5, source="restore_backup_id")],
                          [listing("agents", AGENTS), failed], [listing("configurations", [NIGHTLY]), failed], LOGIN)

    assert [element["name"] for element in batch["restores"]] == ["web1", "ord2"]
    assert batch["plans"]["ord1"]["failure"] == "the agents of region ORD could not be listed: HTTP 503 from agent/user"


# --- the wait ----------------------------------------------------------------------------

def started_element(name="web1", restore_id=500001, **fields):
    """An element of the batch start's restores."""
    element = {"name": name, "outcome": "started", "changed": True, "failed": False, "msg": None,
               "restore_id": restore_id, "backup_id": 368785, "destination_agent_id": 300001,
               "destination_path": "/", "state": "StartRequested", "summary": "restore %s: StartRequested" % restore_id,
               "started_at": 1772532000.5}
    element.update(fields)
    return element


def test_the_watch_list_gives_each_restore_its_servers_deadline_and_gate():
    batch = batch_of([request(backup_id=5, source="restore_backup_id", timeout=600, allow_errors=True, max_errors=3),
                      request("db1", backup_id=6, source="restore_backup_id")], [], [])
    ord_started = started_element("db1", 500002, started_at=1772532010.0, region="ORD",
                                  endpoint="https://ord.example.com/v1.0/1")
    started = {"restores": [started_element(), ord_started]}

    assert restore_watch_list(started, batch) == [
        {"name": "web1", "restore_id": 500001, "started_at": 1772532000.5, "destination_path": "/",
         "deadline": 1772532600.5, "allow_completed_with_errors": True, "max_errors": 3, "region": None,
         "endpoint": None},
        {"name": "db1", "restore_id": 500002, "started_at": 1772532010.0, "destination_path": "/",
         "deadline": 1772546410.0, "allow_completed_with_errors": False, "max_errors": None, "region": "ORD",
         "endpoint": "https://ord.example.com/v1.0/1"},
    ]


def test_the_watch_list_leaves_out_the_restores_that_have_no_id():
    batch = batch_of([request(backup_id=5, source="restore_backup_id"),
                      request("db1", backup_id=6, source="restore_backup_id")], [], [])
    started = {"restores": [started_element(restore_id=None, started_at=None),   # check mode, or a failed start
                            started_element("db1", 500002, max_errors="")]}

    assert [element["name"] for element in restore_watch_list(started, batch)] == ["db1"]
    assert restore_watch_list({"skipped": True}, batch) == []


def test_the_watch_list_leaves_out_a_start_that_failed_after_its_draft_was_created():
    # A draft refused with 403 for too long (or whose paths could not be added) is deleted again,
    # and the start's element keeps the draft's id, with no started_at.
    batch = batch_of([request(backup_id=5, source="restore_backup_id"),
                      request("db1", backup_id=6, source="restore_backup_id")], [], [])
    started = {"restores": [started_element(outcome="failed", failed=True, started_at=None, state="Preparing",
                                            msg="StartManual for restore 500001 was refused with HTTP 403 ..."),
                            started_element("db1", 500002)]}

    assert [element["name"] for element in restore_watch_list(started, batch)] == ["db1"]


WATCH_LIST = [{"name": "web1", "restore_id": 500001, "deadline": 1.0},
              {"name": "db1", "restore_id": 500002, "deadline": 2.0},
              {"name": "files1", "restore_id": 500003, "deadline": 3.0}]


def test_the_next_chunk_carries_what_the_last_said_of_the_restores_no_longer_running():
    web1, files1, db1 = ({"name": "web1", "running": False, "ended": True},
                         {"name": "files1", "running": True, "timed_out": True},
                         {"name": "db1", "running": False, "timed_out": True})   # out of its own time

    carried = restore_carry({"restores": [dict(web1, report={"num_errors": 0}), files1, db1]}, WATCH_LIST)

    # In short: the report crossed once, with the chunk where the restore ended.
    assert carried == [
        dict(WATCH_LIST[0], result=dict(ended=True, timed_out=None, failed=None, healthy=None)),
        dict(WATCH_LIST[1], result=dict(ended=None, timed_out=True, failed=None, healthy=None)),
        dict(WATCH_LIST[2], result=None)]


# --- the verdict -------------------------------------------------------------------------

CHOSEN = {"backup_id": 368785, "source": "pre_upgrade_backups"}
REPORT = {"state": "Completed", "num_files_restored": 1200, "num_errors": 0, "duration_seconds": 75}


def followed(name="web1", **fields):
    """An element of a wait chunk's restores: by default, still running."""
    element = {"name": name, "restore_id": 500001, "backup_id": 368785, "state": "InProgress", "report": None,
               "healthy": False, "ended": False, "timed_out": True, "running": True,
               "summary": "restore 500001: InProgress", "gate_passed": None, "failed": False, "msg": None,
               "outcome": None, "changed": False, "started_at": 1772532000.5, "destination_path": "/"}
    element.update(fields)
    return element


ENDED = dict(state="Completed", report=REPORT, healthy=True, ended=True, timed_out=False, running=False,
             gate_passed=True)


def results(chunks, check_mode=False, start=None, **settings):
    batch = batch_of([request(backup_id=368785, source="pre_upgrade_backups", timeout=60, **settings)], [], [])
    started = {"restores": [start or started_element()]}
    return restore_results(batch, started, chunks, check_mode)["web1"]


@pytest.mark.parametrize("chunks, on_timeout, failure, verdict", [
    ([{"restores": [followed()]}, {"restores": [followed(**ENDED)]}], "fail", None, "ok"),
    ([{"restores": [followed(failed=True, msg="restore 500001 ...: ended in state Failed", state="Failed",
                             ended=True, timed_out=False, running=False, gate_passed=False)]}], "fail",
     "restore 500001 ...: ended in state Failed", "FAILED"),
    ([{"restores": [followed()]}, {"restores": [followed(running=False)]}], "fail",
     "restore 500001: InProgress (restore_timeout is 60 s); it keeps running: raise restore_timeout, or set "
     "restore_on_timeout to continue", "FAILED"),
    ([{"restores": [followed(running=False)]}], "continue", None, "still running"),
    ([], "fail", "restore 500001; its end was never seen", "FAILED"),
    ([{"skipped": True}], "fail", "restore 500001; its end was never seen", "FAILED"),
])
def test_restore_results_say_why_a_started_restore_fails(chunks, on_timeout, failure, verdict):
    result = results(chunks, on_timeout=on_timeout)

    assert (result["failure"], result["verdict"]) == (failure, verdict)


def test_a_failed_start_fails_its_server_with_the_starts_message():
    start = started_element(outcome="failed", failed=True, msg="backup 368785 not found", restore_id=None,
                            state=None, started_at=None, changed=False)

    result = results([], start=start)

    assert (result["failure"], result["verdict"], result["outcome"]) == ("backup 368785 not found", "FAILED", "failed")


def test_check_mode_predicts_without_a_verdict():
    start = started_element(restore_id=None, state=None, started_at=None)

    result = results([], check_mode=True, start=start)

    assert (result["failure"], result["verdict"], result["check_mode"]) == (None, "check mode: would restore", True)


def test_a_server_left_out_of_the_record_is_skipped_and_does_not_fail():
    batch = batch_of([request(source="not recorded")], [], [])

    result = restore_results(batch, {"skipped": True}, [{"skipped": True}], False)["web1"]

    assert (result["failure"], result["verdict"], result["restore_id"]) == (None, "skipped: not in the record", None)


def test_a_server_whose_configuration_cannot_be_told_fails_with_the_plans_failure():
    batch = batch_of([request()], AGENTS, [])

    result = restore_results(batch, {"skipped": True}, [], False)["web1"]

    assert (result["failure"], result["verdict"], result["backup_source"]) == (NOTHING_TO_RESTORE, "FAILED", "newest")


def test_each_server_gets_the_last_chunk_that_followed_it():
    batch = batch_of([request(backup_id=368785, source="pre_upgrade_backups"),
                      request("db1", backup_id=368786, source="pre_upgrade_backups")], [], [])
    started = {"restores": [started_element(), started_element("db1", 500002, backup_id=368786)]}
    chunks = [{"restores": [followed(), followed("db1", restore_id=500002, backup_id=368786)]},
              {"restores": [followed(**ENDED), followed("db1", restore_id=500002, backup_id=368786)]},
              {"restores": [followed("db1", restore_id=500002, backup_id=368786, **ENDED)]},   # web1 no longer
              {"skipped": True}]

    judged = restore_results(batch, started, chunks, False)

    assert (judged["web1"]["state"], judged["web1"]["report"], judged["web1"]["verdict"]) == ("Completed", REPORT, "ok")
    assert (judged["db1"]["restore_id"], judged["db1"]["backup_id"], judged["db1"]["verdict"]) == (500002, 368786, "ok")
    assert (judged["web1"]["outcome"], judged["web1"]["backup_source"]) == ("started", "pre_upgrade_backups")


# --- the table ---------------------------------------------------------------------------

def test_restore_table_has_a_row_per_server_then_the_failures():
    batch = batch_of([request(backup_id=368785, source="pre_upgrade_backups"),
                      request("db1", backup_id=9, source="restore_backup_id"),
                      request("skipped-host", source="not recorded")], [], [])
    started = {"restores": [started_element(),
                            started_element("db1", None, outcome="failed", failed=True, msg="backup 9 not found",
                                            backup_id=9, state=None, started_at=None)]}
    judged = restore_results(batch, started, [{"restores": [followed(**ENDED)]}], False)

    lines = restore_table(judged)

    assert lines[0].split() == ["server", "backup", "restore", "state", "files", "errors", "duration", "verdict"]
    assert lines[1].split() == ["web1", "368785", "500001", "Completed", "1200", "0", "1m15s", "ok"]
    assert lines[2].split()[:4] == ["db1", "9", "-", "-"] and lines[2].endswith("FAILED")
    assert lines[3].split()[:4] == ["skipped-host", "-", "-", "-"] and lines[3].endswith("skipped: not in the record")
    assert lines[4:] == ["db1: backup 9 not found"]


def test_restore_table_of_no_server_is_its_header():
    assert len(restore_table({})) == 1


# --- the records of pre_upgrade_backup.yml, slice by slice ----------------------------------

def test_a_record_key_names_its_hosts_whatever_their_order():
    key = restore_record_key(["web1", "db1"])

    assert key == restore_record_key(["db1", "web1"])
    assert key != restore_record_key(["db1"])
    assert key.startswith("pre_upgrade_backups_") and len(key) == len("pre_upgrade_backups_") + 12


def test_the_slices_of_a_sliced_job_are_merged_back():
    # AWX merged three slices' artifacts with dict.update: pre_upgrade_backups is the last slice's.
    slices = [{"db1": 1}, {"files1": 2}, {"web1": 3}]
    artifacts = {}
    for record in slices:
        artifacts.update({"pre_upgrade_backups": record, restore_record_key(record): record})

    assert restore_recorded([artifacts]) == {"db1": 1, "files1": 2, "web1": 3}


@pytest.mark.parametrize("sources, merged", [
    ([], None),
    ([None, {}], None),
    ([{"unrelated": {"db1": 1}, "pre_upgrade_backups_zz": {"db1": 1}}], None),
    ([{"pre_upgrade_backups": {}}], {}),
    ([{"pre_upgrade_backups": {"db1": 1}}, {"pre_upgrade_backups_00ff": {"web1": 2}}], {"db1": 1, "web1": 2}),
    # A slice's own key wins over the plain one (the last slice's), whatever the order.
    ([{"pre_upgrade_backups_00ff": {"db1": 5}, "pre_upgrade_backups": {"db1": 1}}], {"db1": 5}),
])
def test_record_keys_and_only_those_are_merged(sources, merged):
    assert restore_recorded(sources) == merged


def test_of_two_records_that_name_a_server_the_newer_wins_whatever_their_order():
    # A record folder holds the files of several runs (a --limit run again writes another key).
    old = {"pre_upgrade_backups_0a": {"web1": 1, "db1": 2}, "pre_upgrade_backups_recorded_at": "2026-12-01T10:00:00Z"}
    new = {"pre_upgrade_backups_0b": {"web1": 3}, "pre_upgrade_backups_recorded_at": "2026-12-06T10:00:00Z"}

    assert restore_recorded([new, old]) == restore_recorded([old, new]) == {"web1": 3, "db1": 2}


def test_a_server_whose_backup_failed_in_the_newer_run_is_not_rolled_back_to_an_older_one():
    week_old = {"pre_upgrade_backups_0a": {"web1": 1, "web2": 2}, "pre_upgrade_backups_recorded_at": "2026-11-29T10:00:00Z"}
    today = {"pre_upgrade_backups_0a": restore_record_backups(["web1", "web2", "web3"], [
        {"backup_id": 11, "gate_passed": True}, {"backup_id": 12, "gate_passed": False}, None]),
        "pre_upgrade_backups_recorded_at": "2026-12-06T10:00:00Z"}
    assert today["pre_upgrade_backups_0a"] == {"web1": 11, "web2": None, "web3": None}

    recorded = restore_recorded([week_old, today])

    choices = {host: restore_choice(host, None, None, "/records", recorded) for host in ("web1", "web2", "web3")}
    assert {host: (choice["backup_id"], choice["source"]) for host, choice in choices.items()} == {
        "web1": (11, "/records"), "web2": (None, "not recorded"), "web3": (None, "not recorded")}
