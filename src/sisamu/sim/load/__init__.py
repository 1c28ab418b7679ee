"""`sisamu load`: a load generator that drives a running platform through its HTTP API only (see docs/load.md)."""
