"""HTTP API and pages of the ledger (FastAPI)."""
