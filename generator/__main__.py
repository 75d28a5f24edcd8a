"""python -m generator -> the command line."""

from generator import cli

raise SystemExit(cli.main())
