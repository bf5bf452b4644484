"""Pages from templates: the view each template receives, and the Jinja environment."""
