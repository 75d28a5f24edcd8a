"""python -m generator -> the command line."""

from generator import cli

cli.run()
