"""Administration of the platform: staff and machine accounts, the audit trail's verification."""
