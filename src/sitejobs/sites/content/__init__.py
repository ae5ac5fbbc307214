"""Content (OCE) sites: the site model, templates, rendering and translation."""
