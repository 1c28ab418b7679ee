"""Regulation file (LRM): DR/DRM, patients, medical notes, decisions, life-cycle, search."""
