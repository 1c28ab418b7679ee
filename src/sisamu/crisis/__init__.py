"""Crisis mode (issue 16): crisis events that switch the rooms of the SAMUs they involve, the hash-chained crisis
log (main courante), and the reinforcements of other SAMUs who join a crisis for its duration.

Other features (the victims registry) attach to a crisis through `sisamu.crisis.queries` (read) and
`sisamu.crisis.service.append_entry` (write); they never read its tables.
"""
