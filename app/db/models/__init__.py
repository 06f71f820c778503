"""Every mapped table, importable from one place (Alembic's env reads Base.metadata from here)."""
from app.db.models.alerts import (
    Alert,
    AlertBaseline,
    AlertEvaluation,
    ChangeClock,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from app.db.models.audit import AuditEntry
from app.db.models.auth import Account, AccountSite, ApiToken, TokenSite
from app.db.models.intake import ReceivedEvent, RetentionHorizon
from app.db.models.interest import VacancyInterest
from app.db.models.jobs import (
    Employer,
    LabourBaseline,
    LabourProfile,
    LabourStatus,
    LabourStatusChange,
    LabourStatusDay,
    LabourStatusWeek,
    MatchLabourer,
    MatchVacancy,
    Referral,
    Vacancy,
)
from app.db.models.ledger import (
    AreaWeek,
    AreaWeekWorker,
    AttendanceRecord,
    DeadLetter,
    OutputRecord,
    PendingVoid,
    ProcessedEvent,
    SiteWeek,
    SiteWeekWorker,
    WageLine,
    WorkerMonthIncome,
)
from app.db.models.messages import MessageAttempt, SignInCode, WorkerMessage
from app.db.models.periods import (
    Adjustment,
    ApprovedPay,
    IdempotencyRecord,
    PaymentBatch,
    PaymentLine,
    PayPeriod,
    PeriodTransition,
)
from app.db.models.registry import Assignment, Household, HouseholdSize, Region, Site, Worker
from app.db.models.review import Dispute, ReviewFlag

__all__ = [
    "Alert", "AlertBaseline", "AlertEvaluation", "ChangeClock", "Webhook", "WebhookAttempt", "WebhookDelivery",
    "Account", "AccountSite", "ApiToken", "TokenSite",
    "AuditEntry",
    "Employer", "LabourBaseline", "LabourProfile", "LabourStatus", "LabourStatusChange", "LabourStatusDay",
    "LabourStatusWeek", "MatchLabourer", "MatchVacancy", "Referral", "Vacancy",
    "ReceivedEvent",
    "RetentionHorizon",
    "VacancyInterest",
    "Adjustment", "ApprovedPay", "IdempotencyRecord", "PaymentBatch", "PaymentLine", "PayPeriod", "PeriodTransition",
    "AreaWeek", "AreaWeekWorker", "AttendanceRecord", "DeadLetter", "OutputRecord", "PendingVoid", "ProcessedEvent",
    "SiteWeek", "SiteWeekWorker", "WageLine", "WorkerMonthIncome",
    "Assignment", "Household", "HouseholdSize", "Region", "Site", "Worker",
    "Dispute", "ReviewFlag",
    "MessageAttempt", "SignInCode", "WorkerMessage",
]
