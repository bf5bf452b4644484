"""Writing the built site: a staging folder swapped into place only when the build succeeds."""
