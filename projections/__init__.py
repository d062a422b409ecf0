"""Read side of the ledger: the projection engine and one module per view."""
