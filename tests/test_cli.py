"""The `baken` command's contract: JSON in and out, one clear message and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from baken.protocol import Protocol
from baken.protocol.loader import DATA_DIR
from tests.conftest import CliResult

Run = Callable[..., CliResult]
VALID = {"moment": "2026-02-11T11:00:00+01:00", "reporter": "professional"}


@pytest.mark.parametrize(
    ("situation", "field", "value"),
    [
        ({"weighing": {"q1": "maybe"}}, "weighing.q1", "maybe"),
        ({"weighing": {"q9": "yes"}}, "weighing.q9", "yes"),
        ({"person": {"age": -1}}, "person.age", "-1"),
        ({"person": {"age": 200}}, "person.age", "200"),
        ({"person": {"age": "16"}}, "person.age", "'16'"),
        ({"person": {"age": True}}, "person.age", "True"),
        ({"steps_completed": [1, 6]}, "steps_completed[1]", "6"),
        ({"steps_completed": [0]}, "steps_completed[0]", "0"),
        ({"signals": ["sex-9-99"]}, "signals[0]", "sex-9-99"),
        ({"profiles": ["profiel-x"]}, "profiles[0]", "profiel-x"),
        ({"exploitation_forms": ["sexual", "cyber"]}, "exploitation_forms[1]", "cyber"),
        ({"reporter": "neighbour"}, "reporter", "neighbour"),
        ({"acute_danger": "yes"}, "acute_danger", "yes"),
        ({"consent_to_report": "maybe"}, "consent_to_report", "maybe"),
        ({"moment": "11 februari"}, "moment", "11 februari"),
        ({"moment": "2026-02-11T11:00:00"}, "moment", "2026-02-11T11:00:00"),
        ({"art_273f": {"acts": ["stelen"]}}, "art_273f.acts[0]", "stelen"),
        ({"art_273f": {"tools": []}}, "art_273f.tools", "[]"),
        ({"protocol": "utrecht-2030"}, "protocol", "utrecht-2030"),
        ({"colour": "red"}, "colour", "red"),
        ({"col\u0007our": 1}, "'col\\x07our'", "1"),
        ({"moment": "9999-12-31T23:00:00-12:00"}, "moment", "9999-12-31T23:00:00-12:00"),
        ({"acute_danger": True, "weighing": {"q2": "no"}}, "weighing.q2", "no"),
        ({"acute_danger": True, "weighing": {"q1": "no"}}, "weighing.q1", "no"),
        ({"weighing": {"q1": "no", "q2": "yes"}}, "weighing.q2", "yes"),
    ],
)
def test_bad_situation_fields_exit_2_naming_the_field_and_the_value(
    baken: Run, situation: dict[str, object], field: str, value: str
) -> None:
    """Each bad field gets one line that names the field and the bad value; no traceback."""
    result = baken("assess", "-", stdin=json.dumps({**VALID, **situation}))
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert field in lines[0] and value in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("text", ["{", "", "[1, 2", "{'q1': 'yes'}"])
def test_malformed_json_exits_2_with_the_position(baken: Run, text: str) -> None:
    """Malformed JSON is reported with line and column, not a traceback."""
    result = baken("assess", "-", stdin=text)
    assert result.code == 2
    assert "not valid JSON" in result.stderr and "line" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"reporter": "professional", "reporter": "volunteer"}', "'reporter': given twice"),
        ('{"weighing": {"q1": "yes", "q1": "no"}}', "'q1': given twice"),
        ('{"person": {"age": NaN}}', "NaN is not a JSON value"),
        ('{"person": {"age": Infinity}}', "Infinity is not a JSON value"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"person": {"age": ' + "9" * 5000 + "}}", "not usable JSON"),
    ],
)
def test_json_that_would_be_silently_misread_exits_2(baken: Run, text: str, expected: str) -> None:
    """Duplicate keys, NaN/Infinity, absurd nesting or numbers: one clear line, never a guess."""
    result = baken("assess", "-", stdin=text)
    assert result.code == 2
    assert result.stdout == ""
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_input_that_is_not_utf8_exits_2(baken: Run) -> None:
    """Latin-1 bytes on stdin are refused with the position, not decoded by guesswork."""
    result = baken("assess", "-", stdin='{"reporter": "vrijwilliger é"}'.encode("latin-1"))
    assert result.code == 2
    assert "not UTF-8 text" in result.stderr
    assert "Traceback" not in result.stderr


def test_input_with_a_utf8_byte_order_mark_is_read(baken: Run) -> None:
    """A BOM, as some Windows editors write, is no reason to refuse a situation."""
    result = baken("assess", "-", stdin=b"\xef\xbb\xbf" + json.dumps(VALID).encode())
    assert result.code == 0, result.stderr


def test_an_unknown_default_protocol_names_the_setting(baken: Run) -> None:
    """A wrong BAKEN_DEFAULT_PROTOCOL is reported as that setting's fault, with exit 2."""
    result = baken("assess", "-", stdin=json.dumps(VALID), env={"BAKEN_DEFAULT_PROTOCOL": "x-1"})
    assert result.code == 2
    assert "'x-1'" in result.stderr and "BAKEN_DEFAULT_PROTOCOL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_protocol_id_installed_twice_is_a_clean_error(baken: Run, tmp_path: Path) -> None:
    """Two files with one protocol id: exit 1 naming both files, no traceback."""
    copy = tmp_path / "copy.yaml"
    copy.write_text(
        (DATA_DIR / "gelderland-midden-2018.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = baken("protocol", "list", env={"BAKEN_PROTOCOL_PATH": str(tmp_path)})
    assert result.code == 1
    assert "installed twice" in result.stderr or "is already in" in result.stderr
    assert str(copy) in result.stderr
    assert "Traceback" not in result.stderr


def test_export_into_a_closed_pipe_is_quiet() -> None:
    """`baken protocol export | head -c 10` ends without a BrokenPipeError traceback."""
    script = Path(sys.executable).with_name("baken")
    with subprocess.Popen(
        [str(script), "protocol", "export"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()  # the reader goes away before the export is written
        errors = process.stderr.read().decode()
        process.wait(timeout=60)
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors


def test_a_situation_that_is_not_an_object_exits_2(baken: Run) -> None:
    """A JSON list is not a situation."""
    result = baken("assess", "-", stdin="[1, 2]")
    assert result.code == 2
    assert "must be a JSON object" in result.stderr


def test_a_missing_situation_file_exits_2(baken: Run, tmp_path: Path) -> None:
    """A file that does not exist is named in the message."""
    missing = tmp_path / "nope.json"
    result = baken("assess", str(missing))
    assert result.code == 2
    assert str(missing) in result.stderr and "no such file" in result.stderr


def test_assess_reads_a_file_and_prints_the_documented_shape(baken: Run, tmp_path: Path) -> None:
    """The advice has every documented key."""
    path = tmp_path / "situation.json"
    path.write_text(json.dumps({**VALID, "acute_danger": True}), encoding="utf-8")
    result = baken("assess", str(path))
    assert result.code == 0, result.stderr
    advice = result.json()
    assert isinstance(advice, dict)
    assert set(advice) >= {
        "protocol",
        "call_police_now",
        "contacts",
        "steps",
        "decision_possible",
        "conclusion",
        "report_to_veilig_thuis",
        "help_possible",
        "art_273f",
        "actions",
    }
    assert set(advice["contacts"][0]) == {"partner", "name", "phone", "reason", "cite", "added"}
    assert set(advice["actions"][0]) == {"text", "cite", "added"}


def test_assess_without_a_moment_uses_now(baken: Run) -> None:
    """The documented default: the moment is now."""
    result = baken("assess", "-", stdin=json.dumps({"acute_danger": True}))
    assert result.code == 0, result.stderr
    advice = result.json()
    assert isinstance(advice, dict) and advice["call_police_now"] is True


def test_export_prints_the_whole_protocol_as_json(baken: Run, protocol: Protocol) -> None:
    """`protocol export` gives every item with its id, equal to the loaded protocol."""
    result = baken("protocol", "export")
    assert result.code == 0, result.stderr
    assert result.json() == protocol.model_dump(mode="json")
    named = baken("protocol", "export", "--protocol", protocol.id)
    assert named.stdout == result.stdout


def test_export_of_an_unknown_protocol_exits_2(baken: Run) -> None:
    """An unknown protocol id is named, with the installed ones."""
    result = baken("protocol", "export", "--protocol", "nowhere-1999")
    assert result.code == 2
    assert "nowhere-1999" in result.stderr and "gelderland-midden-2018" in result.stderr


def test_validate_accepts_the_shipped_protocol(baken: Run) -> None:
    """The shipped protocol file validates."""
    path = DATA_DIR / "gelderland-midden-2018.yaml"
    result = baken("protocol", "validate", str(path))
    assert result.code == 0, result.stderr
    assert "valid" in result.stdout


def test_validate_lists_every_problem_with_its_path(baken: Run, tmp_path: Path) -> None:
    """A broken protocol file gets every problem listed with the path of the bad item."""
    data = yaml.safe_load((DATA_DIR / "gelderland-midden-2018.yaml").read_text("utf-8"))
    data["steps"]["steps"][2]["actions"][0]["cite"] = ""
    data["partners"][0]["contacts"].append({"kind": "phone", "value": "call me"})
    data["signal_lists"][0]["groups"][0]["signals"][1]["id"] = "Bad Id"
    del data["weighing"]["volunteers"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = baken("protocol", "validate", str(bad))
    assert result.code == 1
    err = result.stderr
    assert "steps.steps[2].actions[0].cite" in err
    assert "partners[0].contacts" in err and "call me" in err
    assert "signal_lists[0].groups[0].signals[1].id" in err
    assert "weighing.volunteers" in err
    assert "Traceback" not in err


def test_validate_reports_yaml_syntax_errors_with_the_line(baken: Run, tmp_path: Path) -> None:
    """Broken YAML is reported with its line and column."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    result = baken("protocol", "validate", str(bad))
    assert result.code == 1
    assert "line" in result.stderr and "not valid YAML" in result.stderr


def test_validate_of_a_missing_file_exits_2(baken: Run, tmp_path: Path) -> None:
    """A missing protocol file is a usage error."""
    result = baken("protocol", "validate", str(tmp_path / "none.yaml"))
    assert result.code == 2
    assert "no such file" in result.stderr


def test_serve_rejects_a_bad_port(baken: Run) -> None:
    """`serve --port` takes 1 to 65535 and says so."""
    result = baken("serve", "--port", "70000")
    assert result.code == 2
    assert "65535" in result.stderr


def test_protocol_list_names_the_installed_protocols(baken: Run) -> None:
    """`protocol list` shows id, version and which protocol is the default."""
    result = baken("protocol", "list")
    assert result.code == 0
    assert "gelderland-midden-2018" in result.stdout and "(default)" in result.stdout


def test_demo_fills_an_empty_database_once_and_prints_the_logins(
    baken: Run, tmp_path: Path
) -> None:
    """`baken demo` fills a fresh SQLite database and prints the logins; a second run is
    refused with exit 2 and one English line; production settings are refused."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "BAKEN_ENV": "development", "DATABASE_URL": ""}
    first = baken("demo", env=env)
    assert first.code == 0, first.stderr
    assert "demo-professional" in first.stdout and "/account/login/" in first.stdout
    second = baken("demo", env=env)
    assert second.code == 2
    assert "already" in second.stderr and "Traceback" not in second.stderr
    production = baken("demo", env={**env, "BAKEN_ENV": "production", "SECRET_KEY": "x" * 50})
    assert production.code == 2 and "production" in production.stderr


def test_keys_rotate_moves_everything_to_the_new_key(baken: Run, tmp_path: Path) -> None:
    """With a new key first, `baken keys rotate` re-encrypts every value; afterwards the old
    key can go and nothing is left to rotate. Logged in the access log."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "BAKEN_ENV": "development", "DATABASE_URL": ""}
    assert baken("demo", env=env).code == 0
    old = (tmp_path / "encryption_keys").read_text(encoding="utf-8").strip()
    new = baken("keys", "generate").stdout.strip()
    both = {**env, "BAKEN_ENCRYPTION_KEYS": f"{new},{old}"}
    dry = baken("keys", "rotate", "--dry-run", env=both)
    assert dry.code == 0 and dry.stdout.startswith("would re-encrypt")
    done = baken("keys", "rotate", env=both)
    assert done.code == 0 and done.stdout.startswith("re-encrypted")
    only_new = {**env, "BAKEN_ENCRYPTION_KEYS": new}
    again = baken("keys", "rotate", "--dry-run", env=only_new)
    assert again.code == 0 and again.stdout.startswith("would re-encrypt 0 of")
    assert baken("audit", "verify", env=only_new).code == 0
    wrong = baken("keys", "rotate", env={**env, "BAKEN_ENCRYPTION_KEYS": old})
    assert wrong.code == 2 and "does not decrypt" in wrong.stderr
