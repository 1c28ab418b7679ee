"""Telephony brain: call and agent state, distribution and overflow policy."""
