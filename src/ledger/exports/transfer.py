"""Export and import of the whole log as JSON Lines: ``ledger export FILE`` / ``ledger import FILE``.

Line 1 is a header::

    {"format":"ledger-log","format_version":1,"store":"sqlite","events":3,
     "checkpoint":"ledger-checkpoint-v1:3:…"}

then one line per event, in log order::

    {"position":1,"originator_id":"…","version":1,"topic":"staff.registered.v1",
     "state":{…},"event_hash":"…","chain_digest":"…"}

``state`` is the event's stored JSON as an object, readable, and it re-encodes to the stored bytes
exactly (the library's ``JSONTranscoder`` writes compact JSON, ``ensure_ascii=False``). The export
checks that for each event; stored bytes that would not re-encode exactly (another transcoder, a
compressor or a cipher) are written as ``state_base64`` instead. The export is deterministic (no
timestamps of its own), so exporting an imported store gives the same bytes.

An import refuses a file unless the WHOLE of it is sound, naming the line and the reason, before
anything is written: well-formed JSON, every field present and typed, positions increasing,
versions running 1, 2, 3… per staff member, each state matching its ``event_hash``, the chain
recomputing to the exported digests and to the header's checkpoint, each event readable by the
ledger. Then it inserts everything in one transaction, reading the file a second time and
re-checking each hash as it goes (a file changed between the two readings rolls back).

What that proves: the file is whole and was not edited *without recomputing its hashes*. The hashes
use no secret, so a file edited with every hash recomputed is consistent again and passes. Only a
checkpoint kept elsewhere catches that: with ``against``, the running digest recomputed from the
file's events must reach the checkpoint (the file extends the log the auditor saw), or nothing is
imported.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent

from ledger import text
from ledger.application import Ledger
from ledger.domain import errors
from ledger.store.chain import GENESIS, Checkpoint, chain_digest, event_hash
from ledger.store.log_report import DEFAULT_PAGE_SIZE, Anchor
from ledger.store.merkle import Frontier, leaf_hash
from ledger.store.walk import Walk, state_bytes

FORMAT_NAME = "ledger-log"
FORMAT_VERSION = 1
HEADER_FIELDS = ("format", "format_version", "store", "events", "checkpoint")
EVENT_FIELDS = ("position", "originator_id", "version", "topic", "event_hash", "chain_digest")
STATE_FIELDS = ("state", "state_base64")

# The library's JSONTranscoder encoder, byte for byte (without its hook for custom types: the
# exported state holds only JSON values, custom types being already in their {_type_, _data_} form).
_STATE_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_LINE_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# No check for duplicate keys: a duplicate inside a state changes its re-encoding, so the hash
# check refuses it; a duplicate elsewhere could only repeat a field the hashes cover anyway.
_DECODER = json.JSONDecoder()

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; stages: "export", "check", "import"."""


class TransferError(errors.LedgerError):
    code = "transfer_error"


class ExportRefused(TransferError):
    """The log does not verify, so no export is written (run ``ledger verify``)."""

    code = "export_refused"


class ImportRefused(TransferError):
    """The file is malformed or tampered with; nothing was imported."""

    code = "import_refused"

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"Import refused, nothing was imported. {where}{reason}")
        self.line = line
        self.reason = reason


class StoreNotEmpty(errors.Conflict):
    code = "store_not_empty"


@dataclass(frozen=True)
class TransferReport:
    path: Path
    events: int
    checkpoint: Checkpoint


# ----------------------------------------------------------------------------- export


def encode_state(state: bytes) -> tuple[str, Any]:
    """The state as ``("state", object)`` if it re-encodes exactly, else ``("state_base64", str)``."""
    try:
        value = _DECODER.decode(state.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        value = None
    if isinstance(value, dict) and _STATE_ENCODER.encode(value).encode("utf-8") == state:
        return "state", value
    return "state_base64", base64.b64encode(state).decode("ascii")


def export_log(
    ledger: Ledger,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> TransferReport:
    """Write the whole log to ``path`` as JSON Lines, after verifying it as it is read.

    The file appears only once complete (written beside it, then renamed). A log that does not
    verify is not exported: :class:`ExportRefused` names its first broken place.
    """
    target = Path(path)
    recorder = ledger.chained_recorder
    total = recorder.max_notification_id() or 0  # an upper bound, for the progress bar
    walk = Walk(
        recorder,
        page_size=page_size,
        progress=(lambda done: progress("export", done, total)) if progress else None,
    )
    directory = target.parent if str(target.parent) else Path(".")
    with tempfile.TemporaryFile(dir=directory) as body:
        for n, link in walk.pairs():
            key, value = encode_state(state_bytes(n.state))
            line = {
                "position": n.id,
                "originator_id": str(link.originator_id),
                "version": n.originator_version,
                "topic": n.topic,
                key: value,
                "event_hash": link.event_hash,
                "chain_digest": link.chain_digest,
            }
            body.write(_LINE_ENCODER.encode(line).encode("utf-8") + b"\n")
        report = walk.report()
        if report.problem is not None:
            raise ExportRefused(
                f"The log does not verify, so it was not exported: {report.problem}"
            )
        header = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "store": ledger.store.kind,
            "events": report.events,
            "checkpoint": str(report.checkpoint),
        }
        body.seek(0)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_LINE_ENCODER.encode(header).encode("utf-8") + b"\n")
                while chunk := body.read(1 << 20):
                    out.write(chunk)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return TransferReport(target, report.events, report.checkpoint)


# ----------------------------------------------------------------------------- import


@dataclass(frozen=True)
class Header:
    store: str
    events: int
    checkpoint: Checkpoint


@dataclass(frozen=True)
class ExportedEvent:
    line: int
    position: int
    stored: StoredEvent


class _Checker:
    """Reads an export line by line and checks everything; yields each sound event."""

    def __init__(self, mapper: Mapper[UUID] | None, against: Anchor | None = None) -> None:
        self.mapper = mapper
        self.against = against
        self.against_found_at: int | None = None
        self.header: Header | None = None
        self.seq = 0
        self.digest = GENESIS
        self.position = 0
        self.tails: dict[str, tuple[int, str]] = {}  # per staff member: last version and hash
        self.tree = Frontier()  # the Merkle tree of the file's events, for a signed checkpoint

    def read(self, stream: BinaryIO) -> Iterator[ExportedEvent]:
        number = 0
        for number, raw in enumerate(stream, start=1):
            if number == 1:
                self.header = _parse_header(_parse_line(raw.removeprefix(b"\xef\xbb\xbf"), 1))
                continue
            yield self._event(number, _parse_line(raw, number))
        if self.header is None:
            raise ImportRefused("the file is empty; expected a ledger-log header.", line=1)
        self._check_end(number)

    def _event(self, number: int, obj: dict[str, Any]) -> ExportedEvent:
        fields = set(obj)
        state_keys = fields & set(STATE_FIELDS)
        missing = [name for name in EVENT_FIELDS if name not in obj]
        if missing or not state_keys:
            names = ", ".join(missing + ([] if state_keys else ["state"]))
            raise ImportRefused(f"missing field(s): {names}.", line=number)
        unknown = sorted(fields - set(EVENT_FIELDS) - set(STATE_FIELDS))
        if unknown or len(state_keys) > 1:
            what = ", ".join(unknown) if unknown else "both state and state_base64"
            raise ImportRefused(f"unexpected field(s): {what}.", line=number)
        position = _int_field(obj, "position", number, minimum=1)
        version = _int_field(obj, "version", number, minimum=1)
        topic = obj["topic"]
        if not isinstance(topic, str) or not topic:
            raise ImportRefused("topic must be a non-empty string.", line=number)
        oid_text, oid = _uuid_field(obj, number)
        stored_hash = _hex_field(obj, "event_hash", number)
        stored_digest = _hex_field(obj, "chain_digest", number)
        state = _state_field(obj, number)
        if position <= self.position:
            raise ImportRefused(
                f"position {position} does not come after the previous line's {self.position}; "
                "positions must increase.",
                line=number,
            )
        previous_version, previous_hash = self.tails.get(oid_text, (0, GENESIS))
        if version != previous_version + 1:
            raise ImportRefused(
                f"version {version} of staff member {oid} follows version {previous_version}; "
                "each staff member's versions must run 1, 2, 3… in log order.",
                line=number,
            )
        recomputed = event_hash(previous_hash, oid_text, version, topic, state)
        if recomputed != stored_hash:
            raise ImportRefused(
                "the event does not match its event_hash: the line was changed after export "
                "(or an earlier line of the same staff member was).",
                line=number,
            )
        digest = chain_digest(self.digest, recomputed)
        if digest != stored_digest:
            raise ImportRefused(
                "chain_digest does not follow from the lines before it: lines were removed, "
                "reordered or inserted, or the digest was changed.",
                line=number,
            )
        self.tree.append(leaf_hash(position, recomputed))
        self._check_against(number, digest)
        stored = StoredEvent(originator_id=oid, originator_version=version, topic=topic, state=state)
        if self.mapper is not None:
            try:
                domain_event = self.mapper.to_domain_event(stored)
            except Exception as error:
                raise ImportRefused(
                    f"the ledger cannot read this event ({error}).", line=number
                ) from None
            _check_text(domain_event, number)
        self.seq += 1
        self.digest = digest
        self.position = position
        self.tails[oid_text] = (version, recomputed)
        return ExportedEvent(number, position, stored)

    def _check_against(self, number: int, digest: str) -> None:
        """The running digest after this line (recomputed from the file's states, never read
        from its chain_digest fields) against the auditor's checkpoint."""
        anchor = self.against
        if anchor is None or self.against_found_at is not None:
            return
        seq = self.seq + 1
        if anchor.seq is None:
            if digest == anchor.digest:
                self.against_found_at = seq
            return
        if seq != anchor.seq:
            return
        if anchor.signed is not None:
            # A signed checkpoint commits to the Merkle root (positions and event hashes).
            root = self.tree.root()
            if root != anchor.signed.root:
                raise ImportRefused(
                    f"the file does not extend the signed checkpoint at {seq} events: the Merkle "
                    f"root recomputed from its first {seq} events is {root}, the checkpoint says "
                    f"{anchor.signed.root}. Events it covers were changed, removed, reordered or "
                    "inserted.",
                    line=number,
                )
            self.against_found_at = seq
            return
        if digest != anchor.digest:
            raise ImportRefused(
                f"the file does not extend the checkpoint {anchor}: the running digest "
                f"recomputed from its first {seq} events is {digest}. Events the checkpoint "
                "covers were changed, removed, reordered or inserted, and the file's hashes "
                "were recomputed to hide it.",
                line=number,
            )
        self.against_found_at = seq

    def _check_against_reached(self) -> None:
        anchor = self.against
        if anchor is None or self.against_found_at is not None:
            return
        if (anchor.digest == GENESIS and anchor.seq in (None, 0)) or (
            anchor.signed is not None and anchor.seq == 0
        ):
            self.against_found_at = 0
        elif anchor.seq == 0:
            raise ImportRefused("a checkpoint at length 0 must have the genesis digest.")
        elif anchor.seq is None:
            raise ImportRefused(
                f"the file does not extend the checkpoint {anchor}: no prefix of its events has "
                "that running digest (recomputed from the events). The file was changed since "
                "the digest was taken, or the digest is not of this ledger."
            )
        else:
            raise ImportRefused(
                f"the file does not extend the checkpoint {anchor}: the checkpoint covers "
                f"{anchor.seq} events but the file holds only {self.seq}."
            )

    def _check_end(self, last_line: int) -> None:
        header = self.header
        assert header is not None
        if self.seq != header.events:
            raise ImportRefused(
                f"the header announces {header.events} events but the file holds {self.seq}: "
                "the file was cut short or lines were added.",
                line=last_line + 1 if self.seq < header.events else last_line,
            )
        if Checkpoint(self.seq, self.digest) != header.checkpoint:
            raise ImportRefused(
                "the chain of the file does not end at the header's checkpoint "
                f"({header.checkpoint}); it ends at {Checkpoint(self.seq, self.digest)}.",
                line=1,
            )
        self._check_against_reached()


def _check_text(domain_event: object, line: int) -> None:
    """The text policy (``ledger.text``) holds for imported events as for recorded ones: text the
    ledger would refuse today is refused here, naming the line and the field. Text that is only
    not NFC (written before the policy) is imported as it was: the hash chain covers its bytes."""
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
    fields = {k: v for k, v in vars(domain_event).items() if k not in skip}
    try:
        text.check_event_fields(fields)
    except errors.InvalidText as error:
        raise ImportRefused(
            f"{type(domain_event).__name__} event, field {error.field}: {error.message} "
            "The ledger no longer accepts such text; correct the source ledger and export again.",
            line=line,
        ) from None


def _parse_line(raw: bytes, number: int) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(f"not valid UTF-8 ({error.reason} at byte {error.start}).", line=number) from None
    text = text.removesuffix("\n")
    if not text.strip():
        raise ImportRefused("empty line; every line must hold one JSON object.", line=number)
    try:
        obj = _DECODER.decode(text)
    except ValueError as error:
        raise ImportRefused(f"not valid JSON ({error}).", line=number) from None
    if not isinstance(obj, dict):
        raise ImportRefused("expected a JSON object.", line=number)
    return obj


def _parse_header(obj: dict[str, Any]) -> Header:
    if obj.get("format") != FORMAT_NAME:
        raise ImportRefused(
            f"not a ledger export: the header's format must be '{FORMAT_NAME}'.", line=1
        )
    if obj.get("format_version") != FORMAT_VERSION:
        raise ImportRefused(
            f"unsupported format_version {obj.get('format_version')!r} (this ledger reads "
            f"{FORMAT_VERSION}).",
            line=1,
        )
    missing = [name for name in HEADER_FIELDS if name not in obj]
    if missing:
        raise ImportRefused(f"header is missing field(s): {', '.join(missing)}.", line=1)
    unknown = sorted(set(obj) - set(HEADER_FIELDS))
    if unknown:
        raise ImportRefused(f"header has unexpected field(s): {', '.join(unknown)}.", line=1)
    events = _int_field(obj, "events", 1, minimum=0)
    if not isinstance(obj["store"], str):
        raise ImportRefused("header field store must be a string.", line=1)
    try:
        checkpoint = Checkpoint.parse(str(obj["checkpoint"]))
    except ValueError as error:
        raise ImportRefused(f"header field checkpoint: {error}", line=1) from None
    return Header(obj["store"], events, checkpoint)


def _int_field(obj: dict[str, Any], name: str, line: int, *, minimum: int) -> int:
    value = obj[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ImportRefused(f"{name} must be an integer ≥ {minimum}, not {value!r}.", line=line)
    return value


def _hex_field(obj: dict[str, Any], name: str, line: int) -> str:
    value = obj[name]
    if not isinstance(value, str) or len(value) != 64 or value.strip("0123456789abcdef"):
        raise ImportRefused(f"{name} must be 64 lowercase hex digits.", line=line)
    return value


def _uuid_field(obj: dict[str, Any], line: int) -> tuple[str, UUID]:
    value = obj["originator_id"]
    try:
        oid = UUID(value) if isinstance(value, str) else None
    except ValueError:
        oid = None
    if oid is None or str(oid) != value:
        raise ImportRefused(
            f"originator_id must be a UUID in canonical form, not {value!r}.", line=line
        )
    return value, oid


def _state_field(obj: dict[str, Any], line: int) -> bytes:
    if "state" in obj:
        value = obj["state"]
        if not isinstance(value, dict):
            raise ImportRefused("state must be a JSON object.", line=line)
        return _STATE_ENCODER.encode(value).encode("utf-8")
    value = obj["state_base64"]
    try:
        return base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except (binascii.Error, ValueError):
        raise ImportRefused("state_base64 is not valid base64.", line=line) from None


def check_export(
    path: str | os.PathLike[str],
    *,
    mapper: Mapper[UUID] | None = None,
    progress: Progress | None = None,
    against: Anchor | None = None,
) -> Header:
    """Check a whole export file without importing it; raises :class:`ImportRefused`.

    With ``against`` (an auditor's checkpoint), the file must also extend it.
    """
    checker = _Checker(mapper, against)
    with _open_export(path) as stream:
        for _ in checker.read(stream):
            if progress is not None and checker.seq % DEFAULT_PAGE_SIZE == 0:
                assert checker.header is not None
                progress("check", checker.seq, checker.header.events)
    assert checker.header is not None
    if progress is not None:
        progress("check", checker.seq, checker.header.events)
    return checker.header


def import_log(
    ledger: Ledger,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    against: Anchor | None = None,
) -> TransferReport:
    """Load an export into this ledger's store, which must be empty.

    First checks the whole file (:func:`check_export`, including that each event decodes and,
    with ``against``, that the file extends that checkpoint), then
    inserts every event at its exported position in one transaction. The insert streams the file
    again and re-checks every hash as it goes, holding one batch of rows in memory.
    """
    recorder = ledger.chained_recorder
    if not recorder.is_empty():
        raise StoreNotEmpty(
            "The store already holds events: a log can only be imported into an empty store. "
            "Point LEDGER_DATABASE_URL at a new database (or schema) and import there."
        )
    header = check_export(path, mapper=ledger.mapper, progress=progress, against=against)
    checker = _Checker(mapper=None)

    def rows() -> Iterator[tuple[int, StoredEvent]]:
        with _open_export(path) as stream:
            for event in checker.read(stream):
                yield event.position, event.stored
                if progress is not None and checker.seq % DEFAULT_PAGE_SIZE == 0:
                    progress("import", checker.seq, header.events)
        # Still inside the import's transaction: raising here rolls everything back.
        if checker.header != header:
            raise ImportRefused("the file changed while it was being imported.", line=1)

    try:
        recorder.import_events(rows())
    except IntegrityError as error:
        raise StoreNotEmpty(
            f"{error} Point LEDGER_DATABASE_URL at a new database (or schema) and import there."
        ) from None
    if progress is not None:
        progress("import", checker.seq, header.events)
    tail = recorder.select_chain(header.checkpoint.seq - 1, 1) if header.checkpoint.seq else []
    stored = Checkpoint(tail[-1].seq, tail[-1].chain_digest) if tail else Checkpoint(0, GENESIS)
    if stored != header.checkpoint:  # cannot happen unless the store itself misbehaves
        raise TransferError(
            f"The imported chain ends at {stored}, not at the file's {header.checkpoint}: "
            "run `ledger verify`."
        )
    return TransferReport(Path(path), header.events, header.checkpoint)


def _open_export(path: str | os.PathLike[str]) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as error:
        raise ImportRefused(f"cannot read {os.fspath(path)!r}: {error.strerror}.") from None
