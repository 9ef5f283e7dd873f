"""Writes of the monitoring app: its settings (settings.py), the run on a production
sample's arrival (batches.py), schedules and beat's rows (schedules.py), and the run both
make (runs.py)."""
