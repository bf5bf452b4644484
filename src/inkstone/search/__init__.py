"""Full-text search: a Pagefind index built with the site, Chinese segmented by inkstone."""

from inkstone.search.index import SearchIndex, SearchJob, start_search

__all__ = ["SearchIndex", "SearchJob", "start_search"]
