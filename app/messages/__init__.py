"""Text messages to workers: sign-in codes, and word of their pay (a month approved, a payment made or failed)."""
