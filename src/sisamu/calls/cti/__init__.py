"""The SI-SAMU telephony ↔ LRM REST interface, both sides: models, schema checks, client and routes."""
