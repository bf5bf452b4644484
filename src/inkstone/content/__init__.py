"""Sources on disk become documents: discovery, front matter, dates, slugs."""
