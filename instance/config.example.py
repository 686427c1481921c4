# Copy to instance/config.py to override defaults on this machine.
# Environment variables with the POLICYHUB_ prefix override this file.

# DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/policyhub"
# SEARCH_BACKEND = "whoosh"
# REDIS_URL = "redis://127.0.0.1:6379/0"
# LOGIN_RATE_LIMIT = "10/minute"
# API_TOKEN_RATE_LIMIT = "300/minute"
# API_WRITE_RATE_LIMIT = "60/minute"
# WRITE_RATE_LIMIT = "60/minute"
# PROXY_FIX = 1  # behind one reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto
