"""What leaves the ledger as a file, and comes back: the export of the log and its import
(``transfer``), a consistent copy of a SQLite store (``backup``), a credential as a signed badge
(``badge``).

Each works on a whole :class:`ledger.application.Ledger`, so it sits above the application; the
store (``ledger.store``) never imports the application. The offline badge checker stays in the
store (``ledger.store.badge_verify``): it needs no ledger, only the chain and the keys.
"""
