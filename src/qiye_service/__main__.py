"""`python -m qiye_service` runs the CLI."""

from qiye_service.cli import main

main()
