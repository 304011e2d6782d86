"""`python -m finops_tui` runs the command line."""

from finops_tui.cli import main

main()
