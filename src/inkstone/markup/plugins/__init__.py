"""markdown-it plugins of inkstone's own, one concept per module."""
