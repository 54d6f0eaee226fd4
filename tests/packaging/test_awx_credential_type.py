"""The AWX credential type injects exactly what the modules read, and hides every secret.

extensions/awx/credential_type.yml is checked against connection_argument_spec() itself
(its env fallbacks and no_log flags), so that neither can change without the other. Its
injectors are then rendered the way AWX renders them and handed to a real
CloudBackupModule, and the registration playbook is run against a stand-in for awx.awx.
"""
import json
import os
import re
import subprocess
import sys
import textwrap

import jsonschema
import pytest
import yaml
from ansible.module_utils.testing import patch_module_args
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.rackspace.cloudbackup.plugins.module_utils._module import (
    REGIONS,
    CloudBackupModule,
    connection_argument_spec,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX_DIR = os.path.join(REPO_ROOT, "extensions", "awx")
CREDENTIAL_TYPE_FILE = os.path.join(AWX_DIR, "credential_type.yml")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")

# Connection options with an env fallback that the credential type leaves out, and why.
# A new env fallback in connection_argument_spec() fails test_injects_every_env_fallback
# until it is either injected or listed here.
NOT_INJECTED = {
    # Tokens expire within a day: nothing worth storing in AWX.
    "auth_token": "RAX_AUTH_TOKEN",
    "tenant_id": "RAX_TENANT_ID",
    # Transport settings, not credentials: they belong to the job template, not the credential.
    "validate_certs": "RAX_VALIDATE_CERTS",
    "ca_path": "RAX_CA_PATH",
    "timeout": "RAX_API_TIMEOUT",
}

# What AWX accepts for a custom credential type (its CredentialTypeInputField and
# CredentialTypeInjectorField schemas, reduced to what this file uses).
AWX_SCHEMA = {
    "type": "object",
    "required": ["name", "kind", "inputs", "injectors"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "kind": {"enum": ["cloud", "net"]},
        "inputs": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "label"],
                        "additionalProperties": False,
                        "properties": {
                            "id": {"type": "string", "pattern": "^[a-zA-Z_]+[a-zA-Z0-9_]*$"},
                            "label": {"type": "string"},
                            "type": {"enum": ["string", "boolean"]},
                            "help_text": {"type": "string"},
                            "secret": {"type": "boolean"},
                            "multiline": {"type": "boolean"},
                            "ask_at_runtime": {"type": "boolean"},
                            "choices": {"type": "array", "minItems": 1, "uniqueItems": True,
                                        "items": {"type": "string"}},
                            "default": {},
                        },
                    },
                },
                "required": {"type": "array", "items": {"type": "string"}},
            },
        },
        "injectors": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "env": {
                    "type": "object",
                    "additionalProperties": False,
                    "patternProperties": {
                        "^[a-zA-Z_]+[a-zA-Z0-9_]*$": {"type": "string", "pattern": "^[\\x00-\\x7F]*$"},
                    },
                },
            },
        },
    },
}

# The values a user types into the credential form.
USERNAME = "backup-operator"
API_KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def credential_type():
    with open(CREDENTIAL_TYPE_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def fields(credential_type):
    return {field["id"]: field for field in credential_type["inputs"]["fields"]}


def env_fallbacks():
    """{option: environment variable} for every connection option with an env fallback."""
    fallbacks = {}
    for option, spec in connection_argument_spec().items():
        strategy, args = spec.get("fallback", (None, []))[:2]
        if strategy is not None:
            (variable,) = args
            fallbacks[option] = variable
    return fallbacks


def injected(credential_type):
    """{field id: environment variable} of the env injectors, each of which must be '{{ field }}'."""
    mapping = {}
    for variable, template in credential_type["injectors"]["env"].items():
        match = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", template)
        assert match, "injector %s should be exactly '{{ field }}', got %r" % (variable, template)
        mapping[match.group(1)] = variable
    return mapping


def awx_render(credential_type, inputs):
    """The environment AWX gives a job: every env injector, rendered with the non-empty inputs.

    As in AWX's CredentialType.inject_credential: a blank field is left out of the template
    namespace, and Jinja renders it as an empty string (the variable is still set).
    """
    namespace = {key: value for key, value in inputs.items() if value}
    sandbox = ImmutableSandboxedEnvironment()
    return {variable: sandbox.from_string(template).render(**namespace)
            for variable, template in credential_type["injectors"]["env"].items()}


def build_module(monkeypatch, capsys, environment, args=None):
    """A real CloudBackupModule built in ``environment`` (RAX_* only); its failure as a dict."""
    for variable in env_fallbacks().values():
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    with patch_module_args(args or {}):
        try:
            return CloudBackupModule(argument_spec={}, supports_check_mode=True), None
        except SystemExit:
            return None, json.loads(capsys.readouterr().out)


def test_follows_the_awx_schema(credential_type):
    jsonschema.validate(credential_type, AWX_SCHEMA)


def test_injects_every_env_fallback(credential_type):
    fallbacks = env_fallbacks()
    mapping = injected(credential_type)
    assert set(mapping) & set(NOT_INJECTED) == set()
    assert sorted(set(mapping) | set(NOT_INJECTED)) == sorted(fallbacks)


def test_each_field_goes_to_its_options_variable(credential_type):
    fallbacks = env_fallbacks()
    for option, variable in injected(credential_type).items():
        assert variable == fallbacks[option]
    for option, variable in NOT_INJECTED.items():
        assert variable == fallbacks[option]


def test_fields_are_the_injected_options(credential_type, fields):
    assert sorted(fields) == sorted(injected(credential_type))


def test_every_secret_option_is_a_secret_field(fields):
    spec = connection_argument_spec()
    for field_id, field in fields.items():
        assert field.get("secret", False) == spec[field_id].get("no_log", False), field_id
        assert field.get("type", "string") == "string"


def test_required_fields_are_a_login(credential_type, fields):
    # AWX cannot require "api_key or password": the modules say so when both are blank.
    required = credential_type["inputs"]["required"]
    assert set(required) <= set(fields)
    assert required == ["username"]
    assert {"api_key", "password"} <= set(fields)


def test_region_choices_are_the_modules_regions(fields):
    assert tuple(fields["region"]["choices"]) == REGIONS


def test_no_variable_awx_refuses(credential_type):
    for variable in credential_type["injectors"]["env"]:
        assert not variable.startswith("ANSIBLE_")
        assert variable not in ("PATH", "PYTHONPATH", "HOME", "JOB_ID", "INVENTORY_ID", "PROJECT_REVISION")


@pytest.mark.parametrize("inputs", [
    pytest.param({"username": USERNAME, "api_key": API_KEY}, id="required-only"),
    pytest.param({"username": USERNAME, "api_key": API_KEY, "region": "LON",
                  "identity_url": "https://identity.example.com/v2.0/",
                  "endpoint": "https://lon.backup.example.com/v1.0/123456"}, id="every-field"),
])
def test_modules_accept_what_awx_injects(monkeypatch, capsys, credential_type, inputs):
    module, failure = build_module(monkeypatch, capsys, awx_render(credential_type, inputs))
    assert failure is None
    assert module.params["username"] == USERNAME
    assert module.params["api_key"] == API_KEY
    assert module.params["region"] == inputs.get("region")
    assert (module.params["endpoint"] or None) == inputs.get("endpoint")
    assert module.params["password"] in (None, "")
    assert API_KEY in module.no_log_values


def test_a_task_option_still_wins_over_the_credential(monkeypatch, capsys, credential_type):
    environment = awx_render(credential_type, {"username": USERNAME, "api_key": API_KEY, "region": "DFW"})
    module, failure = build_module(monkeypatch, capsys, environment, args={"region": "syd"})
    assert failure is None
    assert module.params["region"] == "SYD"


def test_blank_password_beside_an_api_key_is_accepted(monkeypatch, capsys, credential_type):
    # AWX injects RAX_PASSWORD="" when the field is blank: that must not count as a password.
    environment = awx_render(credential_type, {"username": USERNAME, "api_key": API_KEY})
    assert environment["RAX_PASSWORD"] == ""
    module, failure = build_module(monkeypatch, capsys, environment)
    assert failure is None, failure


STUB_MODULE = textwrap.dedent('''\
    #!/usr/bin/python
    """Stand-in for an awx.awx module: records its arguments, changes nothing."""
    import json
    import os

    from ansible.module_utils.basic import AnsibleModule


    def main():
        module = AnsibleModule(argument_spec=dict(
            name=dict(type="str", required=True), description=dict(type="str"), kind=dict(type="str"),
            inputs=dict(type="dict"), injectors=dict(type="dict"), organization=dict(type="str"),
            credential_type=dict(type="str"), update_secrets=dict(type="bool", default=True),
            state=dict(type="str", default="present")))
        with open(os.environ["AWX_STUB_RECORD"], "a") as record:
            record.write(json.dumps(dict(module.params, module=os.path.basename(__file__)[:-3])) + "\\n")
        module.exit_json(changed=False)


    if __name__ == "__main__":
        main()
''')


def test_registration_playbook_sends_the_file(tmp_path, credential_type):
    modules = tmp_path / "collections" / "ansible_collections" / "awx" / "awx" / "plugins" / "modules"
    modules.mkdir(parents=True)
    (modules.parent.parent / "galaxy.yml").write_text("namespace: awx\nname: awx\nversion: 0.0.1\n")
    for name in ("credential_type", "credential"):
        (modules / (name + ".py")).write_text(STUB_MODULE)
    record = tmp_path / "record.jsonl"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"), AWX_STUB_RECORD=str(record),
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    run = subprocess.run(
        [ANSIBLE_PLAYBOOK, os.path.join(AWX_DIR, "register_credential_type.yml"),
         "-e", "cloudbackup_awx_credential_name=Rackspace backups", "-e", "cloudbackup_awx_username=" + USERNAME,
         "-e", "cloudbackup_awx_api_key=" + API_KEY, "-e", "cloudbackup_awx_region=lon"],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert API_KEY not in run.stdout + run.stderr
    calls = {call["module"]: call for call in map(json.loads, record.read_text().splitlines())}
    sent = calls["credential_type"]
    assert {key: sent[key] for key in ("name", "description", "kind", "inputs", "injectors")} == credential_type
    credential = calls["credential"]
    assert credential["credential_type"] == credential_type["name"]
    assert credential["inputs"] == {"username": USERNAME, "api_key": API_KEY, "region": "LON"}
    assert credential["update_secrets"] is False
