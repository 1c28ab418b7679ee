"""The simulator gateway: the demo's telephony, calls offered through the same services as a real gateway's."""
