"""Routes (being written)."""
from policyhub.endorsements import models  # noqa: F401  (registers the tables)
