"""sisamu: open platform for SAMU – Centre 15 emergency medical call centres."""

__version__ = "0.1.0"
