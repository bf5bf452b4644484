"""Full-text search: a Pagefind index built with the site, Chinese segmented by inkstone."""

from inkstone.search.index import SearchIndex, write_search

__all__ = ["SearchIndex", "write_search"]
