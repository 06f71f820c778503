"""Review flags: the fraud rules (fraud/) run over the facts of sites' months, their flags kept in a queue a
post manager works through before approving.

facts    the month's facts of some sites, read set-based, as the rules take them
raising  raises the flags the rules find, once per kind, subject, site and month
queue    the flags in scope a page at a time, dismissing or confirming one, and the open ones of a month
"""
