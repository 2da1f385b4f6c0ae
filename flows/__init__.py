"""Prefect flows (the engine) and their tasks; each flow moves rows with set-based SQL."""
