"""Roster CSV: reading, validating (all errors at once) and upserting units and employees."""
