"""The bridge between the database and the `matching` engine (which knows nothing of Flask or
SQLAlchemy): building and refreshing the matcher, the outcome log it learns from, and the
held-out evaluation of rankers. Must not change deals, payments or profiles.
"""
