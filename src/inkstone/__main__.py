"""Allows ``python -m inkstone``."""

from inkstone.cli import run

run()
