"""Full-text search: a Pagefind index built with the site, Chinese and Japanese indexed a
character at a time."""

from inkstone.search.index import (
    PreparedPages,
    SearchIndex,
    SearchJob,
    shards_at_once,
    start_search,
)

__all__ = ["PreparedPages", "SearchIndex", "SearchJob", "shards_at_once", "start_search"]
