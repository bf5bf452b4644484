"""Cross-page data, built after every source is loaded: links, lists, taxonomies."""
