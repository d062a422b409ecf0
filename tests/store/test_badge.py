"""Credentials as signed Open Badges 3.0 badges, checked offline by ``verify-credential``, over
real HTTP through the ASGI app on both stores (issue 13). Each tampering is its own test."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Api, problem_of, running_api
from joserfc import jws
from joserfc.jwk import OKPKey
from typer.testing import CliRunner

from api.cli import proofs as proof_commands
from api.cli.app import make_app
from ledger.store.badge_verify import main as verify_main
from ledger.store.config import StoreConfig
from ledger.store.signing import pem_of


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as running:
        yield running


@pytest.fixture
def awarded(api: Api) -> tuple[str, str]:
    """A staff member with a passed course: (staff_id, credential_id)."""
    staff_id = api.register()
    enrollment_id = api.enroll(staff_id)
    done = api.post(
        f"/staff/{staff_id}/enrollments/{enrollment_id}/completion",
        {"completed_on": "2020-09-25", "outcome": "passed"},
    )
    assert done.status_code == 201, done.text
    return staff_id, done.json()["credential_id"]


@pytest.fixture
def files(api: Api, awarded: tuple[str, str], tmp_path: Path) -> tuple[Path, Path]:
    """The downloaded badge and the published keys, as an auditor keeps them."""
    staff_id, credential_id = awarded
    badge = api.get(f"/staff/{staff_id}/credentials/{credential_id}/badge", role="auditor")
    assert badge.status_code == 200, badge.text
    keys = api.client.get("/.well-known/ledger-keys.json")
    badge_file, keys_file = tmp_path / "badge.jwt", tmp_path / "keys.json"
    badge_file.write_text(badge.text, encoding="utf-8")
    keys_file.write_text(keys.text, encoding="utf-8")
    return badge_file, keys_file


def verify(badge: Path, keys: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = verify_main([str(badge), "--keys", str(keys)])
    return code, capsys.readouterr().out


def payload_of(badge: Path) -> dict[str, Any]:
    part = badge.read_text(encoding="utf-8").split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # type: ignore[no-any-return]


def tamper(badge: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the credential inside the JWT and keep the original header and signature."""
    header, _, signature = badge.read_text(encoding="utf-8").split(".")
    credential = payload_of(badge)
    change(credential)
    body = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
    part = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    badge.write_text(f"{header}.{part}.{signature}", encoding="utf-8")


def test_a_downloaded_badge_verifies_offline(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = verify(*files, capsys)
    assert code == 0, out
    assert out.startswith("VALID:")


def test_the_badge_is_an_open_badge_credential_with_the_events_as_evidence(files: tuple[Path, Path]) -> None:
    credential = payload_of(files[0])
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "https://www.w3.org/ns/credentials/v2" in credential["@context"]
    names = [i["identityHash"] for i in credential["credentialSubject"]["identifier"]]
    assert "Nguyễn Văn An" in names
    kinds = [e["type"] for e in credential["ledgerProof"]["events"]]
    assert kinds == ["Enrolled", "Completed"]
    assert all(e["id"].startswith("urn:ledger:event:") for e in credential["evidence"])


def test_the_birth_date_is_left_out_unless_the_agency_opts_in(files: tuple[Path, Path]) -> None:
    identifiers = payload_of(files[0])["credentialSubject"]["identifier"]
    assert "1985-04-12" not in json.dumps(identifiers)


def test_ledger_verify_credential_exits_0_for_a_valid_badge(files: tuple[Path, Path]) -> None:
    app = make_app()
    proof_commands.register(app)
    result = CliRunner().invoke(app, ["verify-credential", str(files[0]), "--keys", str(files[1])])
    assert result.exit_code == 0, result.output


def test_one_changed_character_of_the_name_is_caught(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    def change(c: dict[str, Any]) -> None:
        c["credentialSubject"]["identifier"][0]["identityHash"] = "Nguyễn Văn Án"

    tamper(files[0], change)
    code, out = verify(*files, capsys)
    assert (code, out.split(":")[0:2]) == (1, ["INVALID", " signature"])


def test_a_changed_date_is_caught(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tamper(files[0], lambda c: c.update(validFrom="2019-09-25T00:00:00Z"))
    code, out = verify(*files, capsys)
    assert code == 1
    assert "signature" in out


def test_a_changed_level_is_caught(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    def change(c: dict[str, Any]) -> None:
        c["credentialSubject"]["achievement"]["tag"] = ["political_theory", "advanced"]

    tamper(files[0], change)
    code, out = verify(*files, capsys)
    assert code == 1
    assert "signature" in out


def test_a_swapped_evidence_event_is_caught(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    def change(c: dict[str, Any]) -> None:
        c["evidence"][0]["id"] = c["evidence"][0]["id"].replace(":2", ":1")

    tamper(files[0], change)
    code, out = verify(*files, capsys)
    assert code == 1
    assert "signature" in out


def test_one_changed_proof_hash_is_caught(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    def change(c: dict[str, Any]) -> None:
        c["ledgerProof"]["events"][0]["event_hash"] = "0" * 64

    tamper(files[0], change)
    code, out = verify(*files, capsys)
    assert code == 1
    assert "signature" in out


def test_a_changed_checkpoint_root_is_caught(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(files[0], lambda c: c["ledgerProof"]["checkpoint"].update(root="ab" * 32))
    code, out = verify(*files, capsys)
    assert code == 1
    assert "signature" in out


def test_a_badge_signed_by_the_agency_with_a_wrong_proof_is_caught_by_the_proof(
    api: Api, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # The signature holds (re-signed with the agency's key), so the proof check must catch it.
    credential = payload_of(files[0])
    credential["ledgerProof"]["events"][1]["event_hash"] = "0" * 64
    key = api.app.state.ledger.key_ring.current
    token = jws.serialize_compact(
        {"alg": "Ed25519", "kid": key.key_id, "typ": "vc+jwt"},
        json.dumps(credential).encode(),
        OKPKey.import_key(pem_of(key.private)),
        algorithms=["Ed25519"],
    )
    files[0].write_text(token, encoding="utf-8")
    code, out = verify(*files, capsys)
    assert code == 1
    assert out.startswith("INVALID: proof:")


def test_a_badge_checked_with_another_agencys_keys_fails(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files[1].write_text(json.dumps({"keys": []}), encoding="utf-8")
    code, out = verify(*files, capsys)
    assert code == 1
    assert "not among the published keys" in out


def test_a_voided_credential_says_by_which_event_and_does_not_verify(
    api: Api, awarded: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staff_id, credential_id = awarded
    voided = api.post(f"/staff/{staff_id}/corrections", {"event_id": f"{staff_id}:3", "reason": "Nhập nhầm"})
    assert voided.status_code == 201, voided.text
    badge = api.get(f"/staff/{staff_id}/credentials/{credential_id}/badge", role="registrar")
    assert badge.status_code == 200, badge.text
    (tmp_path / "b.jwt").write_text(badge.text, encoding="utf-8")
    (tmp_path / "k.json").write_text(api.client.get("/.well-known/ledger-keys.json").text, encoding="utf-8")
    code, out = verify(tmp_path / "b.jwt", tmp_path / "k.json", capsys)
    assert code == 1
    assert f"voided by event {staff_id}:4" in out


def test_a_reader_may_not_download_a_badge(api: Api, awarded: tuple[str, str]) -> None:
    staff_id, credential_id = awarded
    response = api.get(f"/staff/{staff_id}/credentials/{credential_id}/badge", role="reader")
    problem_of(response, 403, "forbidden")


def test_an_unknown_credential_has_no_badge(api: Api, awarded: tuple[str, str]) -> None:
    problem_of(api.get(f"/staff/{awarded[0]}/credentials/nope/badge", role="auditor"), 404)


def test_the_badge_is_a_jws_that_joserfc_verifies_with_the_published_key(files: tuple[Path, Path]) -> None:
    key_set = json.loads(files[1].read_text(encoding="utf-8"))
    token = files[0].read_text(encoding="utf-8")
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    published = next(k for k in key_set["keys"] if k["kid"] == header["kid"])
    public = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": published["x"]})
    checked = jws.deserialize_compact(token, public, algorithms=["Ed25519"])
    assert json.loads(checked.payload)["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert header["typ"] == "vc+jwt"
