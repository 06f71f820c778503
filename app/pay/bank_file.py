"""The bank's file of a payment batch: one row per line still with the bank, with the full account number.

The API (`/payment-batches/{id}/bank.csv`) and the desk's page serve the same bytes.
"""
from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import PaymentBatch, Worker
from app.pay.spreadsheets import neutralise

COLUMNS = ("line_id", "worker_id", "worker_name", "bank_account", "amount_fen", "amount_yuan")
CONTENT_TYPE = "text/csv; charset=utf-8"


def bank_file_name(batch_id: int) -> str:
    return f"payment-batch-{batch_id}.csv"


def render_bank_file(session: Session, batch: PaymentBatch) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheet programs then read Chinese names right); pending lines only."""
    accounts = dict(session.execute(select(Worker.id, Worker.bank_account).where(
        Worker.id.in_([line.worker_id for line in batch.lines]))).all())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for line in batch.lines:
        if line.status == "pending":
            writer.writerow([line.id, neutralise(line.worker_id), neutralise(line.worker_name),
                             neutralise(accounts.get(line.worker_id) or ""), line.amount_fen,
                             f"{line.amount_fen / 100:.2f}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
