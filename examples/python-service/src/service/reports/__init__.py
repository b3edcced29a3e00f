"""Reports over the ledger and the orders (loaded on demand by the API)."""
