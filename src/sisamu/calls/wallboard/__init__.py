"""The supervisor's wallboard: a read model over calls, seats and the callback list, above all three."""
