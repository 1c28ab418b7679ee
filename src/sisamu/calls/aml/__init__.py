"""AML (Advanced Mobile Location): handset locations parsed, kept and attached to calls."""
