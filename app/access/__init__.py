"""Access: bearer tokens, the data key ring personal data is encrypted under, and its rotation."""
