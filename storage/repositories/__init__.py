"""Repositories: the only code that writes SQL (through SQLAlchemy)."""
