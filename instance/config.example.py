# Copy to instance/config.py to override defaults on this machine.
# Environment variables with the POLICYHUB_ prefix override this file.

# DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/policyhub"
# SEARCH_BACKEND = "whoosh"
# REDIS_URL = "redis://127.0.0.1:6379/0"
# LOGIN_RATE_LIMIT = "10/minute"
