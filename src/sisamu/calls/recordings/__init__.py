"""Calls' recordings: the voice node attaches the WAV of each answered call to the call (`service.attach`), the
regulators and supervisors of the call's SAMU listen to it over HTTP (`api.py`, every listening audited), and the
voice node deletes the recordings older than the retention (`service.expired`, `service.forget`)."""
