"""Interoperability with partners outside sisamu (Hub Santé)."""
