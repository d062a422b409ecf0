"""Keyed chain links, the Merkle tree, signed checkpoints and proofs, on both stores (issue 13).

The forger edits the real tables with raw SQL (``integrity_helpers.Forger``); nothing is mocked.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from integrity_helpers import Forger, open_ledger, populate, staff_uuid
from typer.testing import CliRunner

from api.cli import proofs as proof_commands
from api.cli import store as commands
from api.cli.app import make_app
from ledger.application import Ledger
from ledger.exports.transfer import export_log, import_log
from ledger.store import merkle
from ledger.store.chain import ChainBuilder
from ledger.store.checkpoints import SignedCheckpoint
from ledger.store.config import StoreConfig
from ledger.store.integrity import verify_against, verify_log
from ledger.store.log_report import ProblemKind
from ledger.store.proofs import consistency_proof, inclusion_proof, sign_checkpoint

pytest_plugins = ("integrity_fixtures",)


def public_keys(ledger: Ledger) -> dict[str, Any]:
    return {k.key_id: k.public for k in ledger.key_ring.keys}


def append_filler(ledger: Ledger, count: int) -> None:
    """``count`` more events through the store's own insert path (chain, tree and MACs in the
    same transaction), in batches: fast enough for thousands."""
    recorder: Any = ledger.recorder
    for start in range(0, count, 1000):
        recorder.insert_events(
            [
                StoredEvent(uuid.uuid4(), 1, "filler", b'{"n":%d}' % n)
                for n in range(start, min(count, start + 1000))
            ]
        )


def change_course(forger: Forger) -> None:
    """Position 4 (NV-001's enrollment) now names another course."""
    before = forger.state_at(4)
    forger.set_state(4, before.replace(b"QLNN-CV", b"QLNN-CC"))
    assert forger.state_at(4) != before


# ------------------------------------------------------------------------ keyed links


def test_a_clean_log_says_every_event_is_authenticated_from_the_first(ledger: Ledger) -> None:
    populate(ledger)
    report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
    assert report.ok, report.summary()
    assert report.authenticated_from == 1
    assert "Events from chain seq 1 on carry a valid link MAC" in report.summary()


def test_a_forged_event_appended_by_sql_with_a_correct_chain_is_caught(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    # The forger appends a doctorate for NV-001 with a chain row computed exactly as the ledger
    # would: the hash chain alone accepts it; the missing link MAC does not.
    last = ledger.chained_recorder.select_chain(0, 100)[-1]
    builder = ChainBuilder(last.seq, last.chain_digest)
    oid = staff_uuid("NV-001")
    previous = [k for k in ledger.chained_recorder.select_chain(0, 100) if k.originator_id == oid][-1]
    state = forger.state_at(1).replace(b"registered", b"completed")
    link = builder.link(previous.event_hash, oid, previous.originator_version + 1, "forged", state)
    forger.insert_event(50, "NV-001", link.originator_version, "forged", state)
    forger.insert_chain_row(link.seq, "NV-001", link.originator_version, link.event_hash, link.chain_digest)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.UNAUTHENTICATED_EVENT
    assert problem.position == 50


def test_a_chain_rewritten_without_the_key_is_caught_at_the_first_changed_event(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    change_course(forger)
    forger.rewrite_chain(with_key=False)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert (problem.kind, problem.position) == (ProblemKind.UNAUTHENTICATED_EVENT, 4)


def test_a_deleted_link_mac_is_caught(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.run(f"DELETE FROM {forger.events_table}_link_macs WHERE seq=3")
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert (problem.kind, problem.seq) == (ProblemKind.UNAUTHENTICATED_EVENT, 3)


def test_renumbered_positions_are_caught_by_the_link_macs(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.run("UPDATE {events} SET {pos}=1000 WHERE {pos}=10")
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.UNAUTHENTICATED_EVENT


def test_a_log_written_before_keyed_links_verifies_and_says_where_authentication_starts(
    store: StoreConfig,
) -> None:
    with open_ledger(store) as ledger:
        populate(ledger)
        forger = Forger(ledger)
        for table in ("link_macs", "keys", "merkle", "checkpoints"):
            forger.run(f"DELETE FROM {forger.events_table}_{table}")  # as before this change
        forger.close()
    with open_ledger(store) as ledger:
        ledger.register(
            staff_id="NV-009", full_name="Phạm Thu Hà", gender="female",  # type: ignore[arg-type]
            birth_date=__import__("datetime").date(1990, 1, 1), unit="Phòng Đào tạo",
            joined_on=__import__("datetime").date(2015, 1, 1), recorded_by="phong-to-chuc",
        )
        report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
    assert report.ok, report.summary()
    assert report.authenticated_from == 11
    assert "events 1 to 10 were written before keyed links" in report.summary()


def test_a_ledger_refuses_a_key_file_that_is_not_the_logs(store: StoreConfig, tmp_path: Path) -> None:
    from ledger.store.signing import SigningKeyError, create_key_file

    with open_ledger(store) as ledger:
        populate(ledger)
    other = tmp_path / "other.pem"
    create_key_file(other)
    with pytest.raises(SigningKeyError, match="does not hold key"):
        Ledger(store, env={"LEDGER_SIGNING_KEY": str(other)})


# ------------------------------------------------------------------------ signed checkpoints


def test_a_full_rewrite_with_the_key_is_caught_against_a_signed_checkpoint(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    signed = sign_checkpoint(ledger.chained_recorder)
    change_course(forger)
    forger.rewrite_chain(with_key=True)  # MACs and tree recomputed too: plain verify passes
    assert verify_log(ledger.chained_recorder).ok
    report = verify_against(ledger.chained_recorder, str(signed))
    assert report.problem is not None
    assert report.problem.kind == ProblemKind.CHECKPOINT_NOT_EXTENDED
    assert signed.root in report.problem.detail


def test_a_log_extends_its_signed_checkpoint_after_more_writes(ledger: Ledger) -> None:
    populate(ledger)
    signed = sign_checkpoint(ledger.chained_recorder)
    append_filler(ledger, 5)
    report = verify_against(ledger.chained_recorder, json.dumps(signed.as_json()))
    assert report.ok, report.summary()
    assert report.against_found_at == signed.size


def test_a_signed_checkpoint_with_a_changed_size_fails_its_signature(ledger: Ledger) -> None:
    populate(ledger)
    signed = sign_checkpoint(ledger.chained_recorder)
    forged = SignedCheckpoint(signed.size - 1, signed.root, signed.key_id, signed.signed_at, signed.signature)
    report = verify_against(ledger.chained_recorder, str(forged))
    assert report.problem is not None
    assert report.problem.kind == ProblemKind.BAD_CHECKPOINT_SIGNATURE


def test_a_checkpoint_is_signed_every_n_events(store: StoreConfig) -> None:
    ledger = Ledger(store, env={"LEDGER_CHECKPOINT_EVERY": "4"})
    try:
        populate(ledger)
        sizes = [c.size for c in ledger.chained_recorder.proofs.checkpoints_page(0, 10)]
        signed = ledger.chained_recorder.proofs.checkpoints_page(0, 10)
    finally:
        ledger.close()
    assert sizes == [4, 8]
    assert all(c.verify(public_keys(ledger)) is None for c in signed)


def test_ledger_checkpoint_prints_a_signed_checkpoint_that_verify_against_accepts(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, tmp_path: Path
) -> None:
    populate(ledger)
    monkeypatch.setenv("LEDGER_DATABASE_URL", ledger.store.url)
    app = make_app()
    commands.register(app)
    proof_commands.register(app)
    signed = CliRunner().invoke(app, ["checkpoint"])
    assert signed.exit_code == 0, signed.output
    saved = tmp_path / "checkpoint.txt"
    saved.write_text(signed.stdout, encoding="utf-8")
    checked = CliRunner().invoke(app, ["verify", "--against", str(saved)])
    assert checked.exit_code == 0, checked.output
    assert "extends the checkpoint at event 10" in checked.stdout


# ------------------------------------------------------------------------ the tree and proofs


def test_the_stored_tree_gives_the_rfc_9162_root_of_the_log(ledger: Ledger) -> None:
    positions = populate(ledger)
    links = ledger.chained_recorder.select_chain(0, 100)
    recorder = ledger.chained_recorder
    all_positions = sorted(recorder.positions_of(k.originator_id)[k.originator_version] for k in links)
    leaves = [merkle.leaf_hash(p, k.event_hash) for p, k in zip(all_positions, links, strict=True)]
    assert positions
    assert sign_checkpoint(ledger.chained_recorder).root == merkle.reference_root(leaves)


def test_an_edited_tree_node_is_caught_by_verify(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.run(f"UPDATE {forger.events_table}_merkle SET hash=? WHERE level=1 AND idx=0", ("ab" * 32,))
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.TREE_MISMATCH


def test_a_proof_from_an_old_checkpoint_still_verifies_after_10000_more_events(ledger: Ledger) -> None:
    populate(ledger)
    old = sign_checkpoint(ledger.chained_recorder)
    append_filler(ledger, 10_000)
    proof = inclusion_proof(ledger.chained_recorder, 5, old.size)
    assert proof.root == old.root
    assert merkle.verify_inclusion(proof.index, old.size, proof.leaf_hash, proof.hashes, old.root)
    assert len(proof.hashes) <= 4


def test_an_inclusion_proof_into_a_large_tree_is_logarithmic(ledger: Ledger) -> None:
    populate(ledger)
    append_filler(ledger, 3000)
    new = sign_checkpoint(ledger.chained_recorder)
    proof = inclusion_proof(ledger.chained_recorder, 5, new.size)
    assert merkle.verify_inclusion(proof.index, new.size, proof.leaf_hash, proof.hashes, new.root)
    assert len(proof.hashes) == (new.size - 1).bit_length()


def test_a_consistency_proof_between_two_checkpoints_verifies(ledger: Ledger) -> None:
    populate(ledger)
    old = sign_checkpoint(ledger.chained_recorder)
    append_filler(ledger, 37)
    new = sign_checkpoint(ledger.chained_recorder)
    proof = consistency_proof(ledger.chained_recorder, old.size, new.size)
    assert merkle.verify_consistency(old.size, new.size, old.root, new.root, proof["hashes"])


def test_a_consistency_proof_fails_after_a_rewrite(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    old = sign_checkpoint(ledger.chained_recorder)
    append_filler(ledger, 7)
    change_course(forger)
    forger.rewrite_chain(with_key=True)
    new = sign_checkpoint(ledger.chained_recorder)
    proof = consistency_proof(ledger.chained_recorder, old.size, new.size)
    assert not merkle.verify_consistency(old.size, new.size, old.root, new.root, proof["hashes"])


def test_an_import_rebuilds_the_same_tree_so_old_checkpoints_still_verify(
    ledger: Ledger, make_store: Any, tmp_path: Path
) -> None:
    populate(ledger)
    signed = sign_checkpoint(ledger.chained_recorder)
    export_log(ledger, tmp_path / "log.jsonl")
    with open_ledger(make_store()) as imported:
        import_log(imported, tmp_path / "log.jsonl")
        report = verify_against(imported.chained_recorder, str(signed), mapper=imported.mapper)
        # The checkpoint was signed by the original store's key: check it with the keys it published.
        extended = verify_against(
            imported.chained_recorder, str(signed), checkpoint_keys=public_keys(ledger)
        )
        assert extended.ok, extended.summary()
    assert report.problem is not None
    assert report.problem.kind == ProblemKind.BAD_CHECKPOINT_SIGNATURE


def test_import_against_a_signed_checkpoint_refuses_a_rewritten_export(
    ledger: Ledger, forger: Forger, make_store: Any, tmp_path: Path
) -> None:
    from ledger.exports.transfer import ImportRefused
    from ledger.store.log_report import Anchor

    populate(ledger)
    signed = sign_checkpoint(ledger.chained_recorder)
    change_course(forger)
    forger.rewrite_chain(with_key=True)
    export_log(ledger, tmp_path / "forged.jsonl")
    with open_ledger(make_store()) as target, pytest.raises(ImportRefused, match="Merkle root"):
        import_log(target, tmp_path / "forged.jsonl", against=Anchor.parse(str(signed)))


def test_import_against_a_signed_checkpoint_accepts_the_true_export(
    ledger: Ledger, make_store: Any, tmp_path: Path
) -> None:
    from ledger.store.log_report import Anchor

    populate(ledger)
    signed = sign_checkpoint(ledger.chained_recorder)
    export_log(ledger, tmp_path / "log.jsonl")
    with open_ledger(make_store()) as target:
        result = import_log(target, tmp_path / "log.jsonl", against=Anchor.parse(str(signed)))
    assert result.events == 10


def test_a_key_rotation_is_recorded_and_the_log_verifies_across_it(
    store: StoreConfig, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ledger.store.proofs import published_keys
    from ledger.store.signing import create_key_file, pem_of

    key_file = tmp_path / "agency.pem"
    create_key_file(key_file)
    env = {"LEDGER_SIGNING_KEY": str(key_file)}
    ledger = Ledger(store, env=env)
    populate(ledger)
    ledger.close()
    with key_file.open("ab") as out:  # rotation: the new key goes after the old one
        out.write(pem_of(Ed25519PrivateKey.generate()))
    ledger = Ledger(store, env=env)
    try:
        append_filler(ledger, 3)
        report = verify_log(ledger.chained_recorder)
        keys = published_keys(ledger.chained_recorder)["keys"]
    finally:
        ledger.close()
    assert report.ok, report.summary()
    spans = [(k["authenticates_from_seq"], k["authenticates_until_seq"]) for k in keys]
    assert spans == [(1, 10), (11, None)]


def test_ledger_checkpoint_signs_nothing_when_the_log_is_broken(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    change_course(forger)
    monkeypatch.setenv("LEDGER_DATABASE_URL", ledger.store.url)
    app = make_app()
    proof_commands.register(app)
    result = CliRunner().invoke(app, ["checkpoint"])
    assert result.exit_code == 1
    assert "nothing was signed" in result.output
    assert ledger.chained_recorder.proofs.latest_checkpoint() is None
