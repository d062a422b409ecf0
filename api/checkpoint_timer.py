"""The server's checkpoint timer: at least one signed checkpoint a day when the log moved.

A thread wakes hourly and calls ``ledger.store.proofs.sign_if_due``; checkpoints every
``LEDGER_CHECKPOINT_EVERY`` events are signed by the store itself, in the inserting transaction.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from ledger.application import Ledger
from ledger.store.proofs import sign_if_due

logger = logging.getLogger("api.checkpoints")

CHECK_EVERY_SECONDS = 3600


class CheckpointTimer:
    def __init__(self, ledger: Ledger, *, interval: float = CHECK_EVERY_SECONDS) -> None:
        self.ledger = ledger
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkpoint-timer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                signed = sign_if_due(self.ledger.chained_recorder, datetime.now(UTC))
            except Exception:  # the timer must outlive a store hiccup; the next hour retries
                logger.exception("Could not sign the daily checkpoint")
                continue
            if signed is not None:
                logger.info("Signed checkpoint at %d events", signed.size)
