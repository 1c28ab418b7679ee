"""Distribution: the call state machine, the routing and overflow policy, the SKIP LOCKED pass, the timers."""
