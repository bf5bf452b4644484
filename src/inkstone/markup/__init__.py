"""Markdown to HTML: the parser and its plugins, math, code highlighting."""
