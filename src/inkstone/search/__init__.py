"""Full-text search: a Pagefind index built with the site, Chinese and Japanese indexed a
character at a time."""

from inkstone.search.index import (
    INDEX_DIR,
    PreparedPages,
    SearchIndex,
    SearchJob,
    searchable_paths,
    shards_at_once,
    start_indexing,
    start_search,
)

__all__ = [
    "INDEX_DIR",
    "PreparedPages",
    "SearchIndex",
    "SearchJob",
    "searchable_paths",
    "shards_at_once",
    "start_indexing",
    "start_search",
]
