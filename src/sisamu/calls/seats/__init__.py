"""ARM seats: the seat state machine, logging in and out, pauses, the seat routes."""
