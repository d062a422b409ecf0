"""``ledger verify``: the hash chain catches every kind of tampering, on both stores.

Each tampering is done with raw SQL on the real tables (see ``integrity_fixtures.Forger``).
The log used is ``populate``'s: positions 1-3 register NV-001..NV-003 (version 1), 4-6 enroll
them (version 2), 7-9 complete (version 3), 10 is NV-003's departure (version 4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import Notification
from integrity_helpers import Forger, populate, staff_uuid
from typer.testing import CliRunner

from api.cli import store as commands
from api.cli.app import make_app
from ledger.application import Ledger
from ledger.domain.catalog import Gender
from ledger.store.chain import GENESIS, Checkpoint, chain_digest
from ledger.store.integrity import check_stream, checkpoint, verify_against, verify_log
from ledger.store.log_report import LogBroken, ProblemKind
from ledger.store.persistence import ChainedRecorder

pytest_plugins = ("integrity_fixtures",)  # the forger fixture

# ------------------------------------------------------------------------ clean logs


def test_a_clean_log_verifies(ledger: Ledger) -> None:
    populate(ledger)
    report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
    assert report.ok, report.summary()
    assert (report.events, report.staff_members) == (10, 3)


def test_an_empty_log_verifies_at_the_genesis_checkpoint(ledger: Ledger) -> None:
    report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
    assert report.ok
    assert report.checkpoint == Checkpoint(0, GENESIS)


def test_the_checkpoint_is_the_last_running_digest_of_the_chain(ledger: Ledger) -> None:
    populate(ledger)
    last = ledger.chained_recorder.select_chain(9, 1)[0]
    assert checkpoint(ledger.chained_recorder) == Checkpoint(10, last.chain_digest)
    assert str(checkpoint(ledger.chained_recorder)).startswith("ledger-checkpoint-v1:10:")


def test_paging_does_not_change_the_outcome(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    assert verify_log(ledger.chained_recorder, page_size=3).ok
    forger.edit_state(8, lambda s: s.replace(b"2024-06-28", b"2024-06-29"))
    report = verify_log(ledger.chained_recorder, page_size=3)
    assert report.problem is not None
    assert report.problem.position == 8


# ------------------------------------------------------------------------ tampering


def test_a_changed_byte_in_one_event_is_named_as_a_modified_event(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.edit_state(5, lambda s: s.replace("Bồi dưỡng".encode(), "Bồi dưỡnh".encode(), 1))
    report = verify_log(ledger.chained_recorder, mapper=ledger.mapper)
    problem = report.problem
    assert problem is not None
    assert problem.kind == ProblemKind.MODIFIED_EVENT
    assert (problem.position, problem.seq, problem.staff_id, problem.version) == (5, 5, "NV-002", 2)
    assert problem.originator_id == staff_uuid("NV-002")
    assert report.events == 4  # the part before it verified


def test_the_report_of_a_modified_event_reads_as_a_sentence(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.edit_state(1, lambda s: s.replace("Nguyễn".encode(), b"Nguyen"))
    summary = verify_log(ledger.chained_recorder).summary()
    assert summary.startswith("BROKEN: modified event at log position 1, chain seq 1, staff NV-001")
    assert "version 1" in summary


def test_a_deleted_event_is_named_as_a_missing_event(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.delete_event(4)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.MISSING_EVENT
    assert (problem.seq, problem.staff_id, problem.version) == (4, "NV-001", 2)


def test_a_deleted_last_event_is_named_as_a_missing_event(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.delete_event(10)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.MISSING_EVENT
    assert (problem.seq, problem.staff_id, problem.version) == (10, "NV-003", 4)


def test_two_swapped_rows_are_named_as_reordered_events(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.swap_events(4, 6)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.REORDERED_EVENTS
    assert (problem.position, problem.staff_id, problem.version) == (4, "NV-003", 2)
    assert "at seq 6" in problem.detail
    assert "at position 6" in problem.detail


def test_a_forged_row_appended_to_the_log_is_named_as_an_event_without_chain_row(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    state = forger.state_at(7)  # a copy of a real completion
    forger.insert_event(11, "NV-001", 4, "staff.completed.v1", state)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.EVENT_WITHOUT_CHAIN_ROW
    assert (problem.position, problem.staff_id, problem.version) == (11, "NV-001", 4)


def test_a_forged_row_inserted_between_two_events_is_named_as_an_inserted_event(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.run("UPDATE {events} SET {pos}=11 WHERE {pos}=10")  # make room at position 10
    forger.insert_event(10, "NV-001", 4, "staff.completed.v1", forger.state_at(7))
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.INSERTED_EVENT
    assert (problem.position, problem.staff_id, problem.version) == (10, "NV-001", 4)


def test_an_event_replaced_by_a_forgery_is_named_as_a_replaced_event(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.delete_event(10)
    forger.insert_event(10, "NV-001", 4, "staff.completed.v1", forger.state_at(7))
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.REPLACED_EVENT
    assert (problem.position, problem.staff_id, problem.version) == (10, "NV-001", 4)
    assert "NV-003" in problem.detail


def test_a_chain_row_added_by_hand_is_named_as_a_chain_row_without_event(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.insert_chain_row(11, "NV-001", 4, "a" * 64, "b" * 64)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.CHAIN_ROW_WITHOUT_EVENT
    assert problem.seq == 11


def test_an_edited_running_digest_is_named_as_an_altered_chain_row(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.set_chain_digest(6, "c" * 64)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.ALTERED_CHAIN_ROW
    assert (problem.position, problem.seq) == (6, 6)


def test_a_deleted_chain_row_is_named(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.delete_chain_row(3)
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.MISSING_CHAIN_ROW
    assert problem.seq == 3


def test_a_version_removed_with_its_chain_rebuilt_is_named_as_out_of_sequence(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.delete_event(5)  # NV-002's enrollment
    forger.rewrite_chain()
    problem = verify_log(ledger.chained_recorder).problem
    assert problem is not None
    assert problem.kind == ProblemKind.VERSION_OUT_OF_SEQUENCE
    assert (problem.position, problem.staff_id, problem.version) == (8, "NV-002", 3)


def test_an_event_the_ledger_cannot_read_is_named_as_undecodable(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.run("UPDATE {events} SET topic='staff.unheard_of.v1' WHERE {pos}=?", (7,))
    forger.rewrite_chain()
    assert verify_log(ledger.chained_recorder).ok  # the hashes alone are consistent
    problem = verify_log(ledger.chained_recorder, mapper=ledger.mapper).problem
    assert problem is not None
    assert problem.kind == ProblemKind.UNDECODABLE_EVENT
    assert problem.position == 7


def test_checkpoint_refuses_a_broken_log(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.delete_event(2)
    with pytest.raises(LogBroken, match="missing event"):
        checkpoint(ledger.chained_recorder)


# ------------------------------------------------------------------------ checkpoints


def test_a_full_rewrite_passes_plain_verify_but_not_an_earlier_checkpoint(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    kept = checkpoint(ledger.chained_recorder)
    register_another(ledger)
    forger.edit_state(2, lambda s: s.replace("Bích Ngọc".encode(), "Bích Ngân".encode()))
    forger.rewrite_chain()

    assert verify_log(ledger.chained_recorder, mapper=ledger.mapper).ok
    report = verify_against(ledger.chained_recorder, kept)
    assert report.problem is not None
    assert report.problem.kind == ProblemKind.CHECKPOINT_NOT_EXTENDED
    assert report.problem.seq == 10


def test_a_log_that_grew_honestly_still_extends_an_earlier_checkpoint(ledger: Ledger) -> None:
    populate(ledger)
    kept = checkpoint(ledger.chained_recorder)
    register_another(ledger)
    report = verify_against(ledger.chained_recorder, str(kept), mapper=ledger.mapper)
    assert report.ok, report.summary()
    assert (report.events, report.against_found_at) == (11, 10)


def test_a_bare_digest_is_found_among_the_recomputed_running_digests(ledger: Ledger) -> None:
    populate(ledger)
    digest_at_4 = ledger.chained_recorder.select_chain(3, 1)[0].chain_digest
    report = verify_against(ledger.chained_recorder, digest_at_4)
    assert report.ok
    assert report.against_found_at == 4


def test_a_digest_of_no_prefix_of_the_log_is_refused(ledger: Ledger) -> None:
    populate(ledger)
    report = verify_against(ledger.chained_recorder, chain_digest(GENESIS, "d" * 64))
    assert report.problem is not None
    assert report.problem.kind == ProblemKind.CHECKPOINT_NOT_EXTENDED


def test_a_log_cut_short_since_the_checkpoint_is_caught(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    kept = checkpoint(ledger.chained_recorder)
    forger.delete_event(10)
    forger.delete_chain_row(10)
    assert verify_log(ledger.chained_recorder).ok
    report = verify_against(ledger.chained_recorder, kept)
    assert report.problem is not None
    assert report.problem.kind == ProblemKind.LOG_SHORTER_THAN_CHECKPOINT


# ------------------------------------------------------------------------ live logs


class EndFixedEarlier:
    """The real recorder, except that the walk learns the log's end as it was earlier: the
    events written since look exactly like writes that committed while the walk ran."""

    def __init__(self, recorder: ChainedRecorder, end: int) -> None:
        self.recorder = recorder
        self.end = end

    def max_notification_id(self) -> int | None:
        return self.end

    def select_notifications(self, *args: Any, **kwargs: Any) -> Sequence[Notification]:
        return self.recorder.select_notifications(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.recorder, name)


def test_events_written_while_verify_runs_are_not_reported(ledger: Ledger) -> None:
    populate(ledger)
    register_another(ledger)
    report = verify_log(EndFixedEarlier(ledger.chained_recorder, 10))
    assert report.ok, report.summary()
    assert report.events == 10


# ------------------------------------------------------------------------ command line


def invoke(
    monkeypatch: pytest.MonkeyPatch,
    ledger: Ledger,
    *args: str,
    view_checks: Sequence[commands.ViewCheck] = (),
) -> Any:
    monkeypatch.setenv("LEDGER_DATABASE_URL", ledger.store.url)
    app = make_app()
    commands.register(app, view_checks=view_checks)
    return CliRunner().invoke(app, list(args))


def test_ledger_verify_exits_0_on_a_clean_log(monkeypatch: pytest.MonkeyPatch, ledger: Ledger) -> None:
    populate(ledger)
    result = invoke(monkeypatch, ledger, "verify")
    assert result.exit_code == 0, result.output
    assert "Log verified: 10 events of 3 staff members" in result.stdout


def test_ledger_verify_checkpoint_prints_the_checkpoint_as_the_last_line(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger
) -> None:
    populate(ledger)
    result = invoke(monkeypatch, ledger, "verify", "--checkpoint")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == str(checkpoint(ledger.chained_recorder))


def test_ledger_verify_exits_1_and_names_the_first_broken_place(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.swap_events(2, 3)
    result = invoke(monkeypatch, ledger, "verify", "--checkpoint")
    assert result.exit_code == 1
    assert "BROKEN: reordered events at log position 2" in result.stdout
    assert "ledger-checkpoint-v1" not in result.stdout  # no checkpoint of a broken log


def test_ledger_verify_against_an_earlier_checkpoint_catches_a_full_rewrite(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    kept = invoke(monkeypatch, ledger, "verify", "--checkpoint").stdout.splitlines()[-1]
    forger.edit_state(3, lambda s: s.replace("Lê".encode(), "Lý".encode()))
    forger.rewrite_chain()
    assert invoke(monkeypatch, ledger, "verify").exit_code == 0
    result = invoke(monkeypatch, ledger, "verify", "--against", kept)
    assert result.exit_code == 1
    assert "log does not extend the checkpoint" in result.stdout


def test_ledger_verify_against_accepts_the_checkpoint_of_an_honest_log(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger
) -> None:
    populate(ledger)
    kept = str(checkpoint(ledger.chained_recorder))
    result = invoke(monkeypatch, ledger, "verify", "--against", kept)
    assert result.exit_code == 0, result.output
    assert "extends the checkpoint at event 10" in result.stdout


def test_ledger_verify_against_something_that_is_no_checkpoint_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger
) -> None:
    result = invoke(monkeypatch, ledger, "verify", "--against", "not-a-checkpoint")
    assert result.exit_code == 2
    assert "ledger-checkpoint-v1:SEQ:DIGEST" in result.output


def test_ledger_verify_runs_the_view_checks_and_reports_their_problems(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger
) -> None:
    populate(ledger)
    seen: list[int] = []

    def view_check(checked: Ledger) -> list[str]:
        seen.append(1)
        return ["qualifications view: NV-002 shows no state_management level"]

    result = invoke(monkeypatch, ledger, "verify", "--checkpoint", view_checks=[view_check])
    assert seen == [1]
    assert result.exit_code == 1
    assert "BROKEN view: qualifications view: NV-002" in result.stdout


def test_a_view_check_that_crashes_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, ledger: Ledger
) -> None:
    def broken_check(checked: Ledger) -> list[str]:
        raise RuntimeError("scratch database unavailable")

    result = invoke(monkeypatch, ledger, "verify", view_checks=[broken_check])
    assert result.exit_code == 1
    assert "scratch database unavailable" in result.stdout


def test_passing_view_checks_are_summarised(monkeypatch: pytest.MonkeyPatch, ledger: Ledger) -> None:
    result = invoke(monkeypatch, ledger, "verify", view_checks=[lambda checked: []])
    assert result.exit_code == 0
    assert "Views verified: 1 check(s), no problems." in result.stdout


# ------------------------------------------------------------------------ helpers


def register_another(ledger: Ledger) -> None:
    ledger.register(
        staff_id="NV-004",
        full_name="Phạm Thu Hà",
        gender=Gender.FEMALE,
        birth_date=date(1990, 1, 15),
        unit="Văn phòng",
        joined_on=date(2015, 8, 1),
        recorded_by="hr",
    )


# ------------------------------------------------------------------ one person's stream (pages)
# populate: NV-001's versions 1-3 are at positions (and chain seqs) 1, 4 and 7.


def test_one_persons_intact_stream_checks_ok_with_its_last_hash(ledger: Ledger) -> None:
    populate(ledger)
    found = check_stream(ledger.chained_recorder, staff_uuid("NV-001"))
    assert (found.ok, found.events, found.problem) == (True, 3, None)
    last = ledger.chained_recorder.link_of(staff_uuid("NV-001"), 3)
    assert last is not None
    assert found.last_hash == last.event_hash


def test_a_changed_event_breaks_its_persons_stream_at_that_version(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.edit_state(4, lambda s: s.replace("Bồi dưỡng".encode(), "Bồi dưỡnh".encode(), 1))
    found = check_stream(ledger.chained_recorder, staff_uuid("NV-001"))
    assert (found.ok, found.version) == (False, 2)
    assert "version 2 does not match its hash" in (found.problem or "")
    assert check_stream(ledger.chained_recorder, staff_uuid("NV-002")).ok


def test_a_deleted_chain_row_breaks_its_persons_stream(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.delete_chain_row(7)
    found = check_stream(ledger.chained_recorder, staff_uuid("NV-001"))
    assert (found.ok, found.version) == (False, 3)
    assert "has no row in the chain table" in (found.problem or "")


def test_a_chain_row_that_does_not_fit_the_running_digest_breaks_the_stream(
    ledger: Ledger, forger: Forger
) -> None:
    populate(ledger)
    forger.set_chain_digest(4, "f" * 64)
    found = check_stream(ledger.chained_recorder, staff_uuid("NV-001"))
    assert (found.ok, found.version) == (False, 2)
    assert "does not fit the running digest" in (found.problem or "")


def test_a_deleted_link_mac_breaks_its_persons_stream(ledger: Ledger, forger: Forger) -> None:
    populate(ledger)
    forger.run(f"DELETE FROM {forger.events_table}_link_macs WHERE seq=4")
    found = check_stream(ledger.chained_recorder, staff_uuid("NV-001"))
    assert (found.ok, found.version) == (False, 2)
    assert "carries no MAC" in (found.problem or "")
    assert check_stream(ledger.chained_recorder, staff_uuid("NV-002")).ok


def test_a_stream_with_no_events_is_not_ok(ledger: Ledger) -> None:
    found = check_stream(ledger.chained_recorder, staff_uuid("NV-404"))
    assert (found.ok, found.events) == (False, 0)
