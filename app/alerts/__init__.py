"""Alerts: the income-stability rules asked of the database and evaluated once per finished month, the
alert as a CloudEvent, its delivery to webhooks, and the employment statistics."""
