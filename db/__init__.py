"""Database layer: models, sessions, migrations."""
