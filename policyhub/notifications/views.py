"""Routes (being written)."""
from policyhub.notifications import models  # noqa: F401  (registers the tables)
