"""The wage engine: from a work event to its wage line. Read it top-down: each module uses only those
listed below it (the layer tests hold it to this order).

register        a CSV attendance register taken in as events, through the intake
intake          the API's door (POST /events): all valid or none, each id once, staged on the bus
rebuild         every derived table built again from the events
poison          a batch the database refuses is split until the message that causes it is parked
batch           one batch of messages, one transaction: dedupe, check, apply, recompute, park the rest
retention       how long event ids are kept, and what is refused once they may be gone
assignments     changes of an assignment's terms: one answer for the API and the consumers, the keys they touch
jobs            the jobs area's events: one answer for the API and the consumers, and applying them
disputes        a worker's dispute of a day, and the supervisor's answer told to them
referrals       referrals: made, accepted, declined, and the hire that makes an assignment
vacancies       vacancies: posted, filled, closed; the referrals waiting on them ended
labour          a labourer's employment status: its history and current view
labour_counts   the labourers counted by area, status and week or day, moved with their histories
apply           apply one event to the batch's work records; the wage keys it touches
week_counts     the weeks at work counted by area and week (area_weeks), last in a batch
wages           recompute the wage lines of the touched keys
adjustments     late facts for an approved month become an adjustment
facts           what the stored work records give as pay for one assignment and day
records         the stored work records and their keys, loaded and written a batch at a time
weeks           the weeks at work of the records written, kept with them (site_week_workers)
pending_voids   voids that came before their output, waiting for it
dead_letters    park what can never be applied; readable previews; the operator's replay
checks          can this event be applied? One answer for the API and the consumers
terms           an assignment's terms: worker, site, dates, wage scheme
"""
