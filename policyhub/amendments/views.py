"""Routes (being written)."""
from policyhub.amendments import models  # noqa: F401  (registers the tables)
