"""The wage engine: from a work event to its wage line. Read top-down; each module uses only those below it.

intake          the API's door (POST /events): check, receive once, stage on the bus
register        a CSV attendance register taken in as events through the intake
rebuild         every derived table built again from the events
poison          a batch the database refuses is split until the poison message is parked
batch           one batch of messages, one transaction: dedupe, check, apply, recompute, park
apply           apply one event to the batch's work records; the wage keys it touches
pending_voids   voids that came before their output
wages           recompute the touched wage lines
adjustments     late facts of an approved month become an adjustment
facts           what the stored records give as pay for one assignment and day
records         the stored work records and their keys
dead_letters    park what can never apply; previews and the operator's replay
checks          can this event apply? (the API and the consumers ask alike)
terms           an assignment's terms: worker, site, dates, wage scheme
"""
