"""The appraisal cycle's rules as plain functions: clock, working days, periods, stages, peers.

Prefect flows in `flows/` call these; tests call them directly, without Prefect.
"""
