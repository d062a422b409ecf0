"""The proof endpoints over real HTTP through the ASGI app, on both stores (issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from api_fixtures import Api, problem_of, running_api

from ledger.store import merkle
from ledger.store.checkpoints import SignedCheckpoint, public_keys_from_jwks
from ledger.store.config import StoreConfig
from ledger.store.proofs import sign_if_due


@pytest.fixture
def api(store: StoreConfig) -> Iterator[Api]:
    with running_api(store) as running:
        for _ in range(3):
            running.register()
        yield running


def sign(api: Api) -> SignedCheckpoint:
    return api.app.state.ledger.chained_recorder.proofs.sign_checkpoint()  # type: ignore[no-any-return]


def test_the_published_keys_need_no_api_key_and_verify_the_latest_checkpoint(api: Api) -> None:
    sign(api)
    keys = api.client.get("/.well-known/ledger-keys.json")
    assert keys.status_code == 200, keys.text
    latest = api.get("/checkpoints/latest", role="auditor")
    assert latest.status_code == 200, latest.text
    checkpoint = SignedCheckpoint.from_json(latest.json())
    assert checkpoint.verify(public_keys_from_jwks(keys.json())) is None


def test_checkpoints_page_oldest_first(api: Api) -> None:
    first = sign(api)
    api.register()
    second = sign(api)
    page = api.get("/checkpoints", role="auditor", after=0, limit=1).json()
    assert [c["size"] for c in page["items"]] == [first.size]
    rest = api.get("/checkpoints", role="auditor", after=page["next_after"]).json()
    assert [c["size"] for c in rest["items"]] == [second.size]


def test_an_inclusion_proof_from_the_api_verifies_against_the_signed_root(api: Api) -> None:
    checkpoint = sign(api)
    proof = api.get("/events/2/proof", role="auditor", size=checkpoint.size)
    assert proof.status_code == 200, proof.text
    body = proof.json()
    assert merkle.verify_inclusion(
        body["leaf_index"], checkpoint.size, body["leaf_hash"], body["hashes"], checkpoint.root
    )


def test_a_consistency_proof_from_the_api_verifies_between_two_checkpoints(api: Api) -> None:
    old = sign(api)
    api.register()
    api.register()
    new = sign(api)
    body = api.get("/checkpoints/consistency", role="registrar", **{"from": old.size, "to": new.size}).json()
    assert merkle.verify_consistency(old.size, new.size, old.root, new.root, body["hashes"])


def test_a_reader_may_not_ask_for_proofs(api: Api) -> None:
    problem_of(api.get("/events/1/proof", role="reader", size=1), 403, "forbidden")


def test_a_size_beyond_the_tree_is_422_naming_size(api: Api) -> None:
    body = problem_of(api.get("/events/1/proof", role="auditor", size=999), 422, "validation_error")
    assert body["errors"][0]["field"] == "size"


def test_a_proof_of_a_position_without_an_event_is_404(api: Api) -> None:
    problem_of(api.get("/events/9999/proof", role="auditor", size=1), 404, "not_found")


def test_no_checkpoint_yet_is_404(api: Api) -> None:
    problem_of(api.get("/checkpoints/latest", role="auditor"), 404, "not_found")


def test_the_daily_timer_signs_when_the_log_moved_and_the_last_checkpoint_is_a_day_old(api: Api) -> None:
    recorder = api.app.state.ledger.chained_recorder
    first = sign_if_due(recorder, datetime.now(UTC))
    assert first is not None
    api.register()
    assert sign_if_due(recorder, datetime.now(UTC)) is None  # signed less than a day ago
    later = sign_if_due(recorder, datetime.now(UTC) + timedelta(days=1, seconds=1))
    assert later is not None
    assert later.size == first.size + 1
