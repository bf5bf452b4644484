"""Full-text search: a Pagefind index built with the site (its extended build segments
Chinese)."""

from inkstone.search.index import (
    PreparedPages,
    SearchIndex,
    SearchJob,
    shards_at_once,
    start_search,
)

__all__ = ["PreparedPages", "SearchIndex", "SearchJob", "shards_at_once", "start_search"]
