"""Overflow between SAMUs: agreements and national pooling."""
