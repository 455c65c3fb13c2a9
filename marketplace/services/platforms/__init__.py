"""Creators' connected platform accounts (`accounts.py`), their tokens encrypted at rest
(`tokens.py`), the one place a typed post link is parsed (`links.py`), and reading a post and
its numbers from the platform for jobs (`posts.py`)."""
