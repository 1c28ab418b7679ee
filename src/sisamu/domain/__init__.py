"""Shared kernel: identifiers, official code lists, clock, base events."""
