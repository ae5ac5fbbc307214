"""The OCAPI Data API jobs resource: a sub-app of its own (`app.create_ocapi`)."""
