"""`qiye import …` and `qiye export …`: ledgers in and out (DESIGN §5)."""

import typer


def load_sample(ctx: typer.Context) -> None:
    """Load the bundled sample ledger through the import path."""
    raise NotImplementedError("the importer lands with issue 3")
