"""The process loops that read the bus or the database: the wage consumer, the outbox relay, the alert
scheduler and the webhook sender. What they run is in app/ (the wage engine in app/ledger/)."""
