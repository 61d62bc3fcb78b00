"""Numbered migration scripts (NNNN_name.py, each with upgrade(db, migrator)); shipped as quizzer.migrations."""
