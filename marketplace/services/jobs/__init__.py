"""The job queue's records: dead letters (`dead_letters.py`) and leases (`leases.py`)."""
