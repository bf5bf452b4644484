"""Full-text search: a Pagefind index built with the site, Chinese segmented by inkstone."""

from inkstone.search.index import PreparedPages, SearchIndex, SearchJob, start_search

__all__ = ["PreparedPages", "SearchIndex", "SearchJob", "start_search"]
