"""The labour registry's rules: vocabularies and what may be hired, pure functions with no I/O."""
