"""The registry as people keep it: the checks a worker's identity and bank account must pass."""
