"""Email for notifications: preferences, the outgoing queue, the sending worker, digests, unsubscribe links."""
