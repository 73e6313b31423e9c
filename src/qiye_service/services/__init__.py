"""The domain layer: no typer, no rich. Functions take a session by keyword, flush,
never commit, raise errors.*, and return plain rows (dicts) for the CLI to render.
"""
