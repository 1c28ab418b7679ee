"""Digital twin of the SAMU call rooms: discrete-event model, Erlang formulas, staffing, scenarios."""
