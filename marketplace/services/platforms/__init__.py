"""Creators' connected platform accounts (`accounts.py`), their tokens encrypted at rest
(`tokens.py`), and the one place the rest of the app parses a post link (`links.py`)."""
