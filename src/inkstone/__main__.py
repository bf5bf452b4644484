"""Allows ``python -m inkstone``."""

from inkstone.cli import main

main()
