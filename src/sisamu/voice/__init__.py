"""The voice service (`sisamu voice`): real SIP calls and their audio, driven by the call distribution.

`model.py` holds the pure rules (numbers → SAMU and flux, the caller's number from the SIP headers, the seats'
phones); `media.py` the tones and announcements; `events.py` what the engine reports and what it is told;
`engine.py` the one PJSIP thread (endpoint, calls, conference bridge); `node.py` ties the engine's events to the
distribution's public services and follows the calls it holds. See docs/adr/0005-voice.md and docs/telephony.md.
"""
