"""inkstone: a static site generator for technical blogs full of math, code and Chinese."""

__version__ = "0.1.0"
