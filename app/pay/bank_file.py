"""The bank's file of a payment batch: one row per line still with the bank, with the full account number.

Each row names the account its line was made for (kept on the line), not the worker's account of today: a file
made again after the worker's account changed still says where the line was sent. The API
(`/payment-batches/{id}/bank.csv`) and the desk's page serve the same bytes.
"""
from __future__ import annotations

import csv
import io

from app.db.models import PaymentBatch
from app.pay.spreadsheets import neutralise

COLUMNS = ("line_id", "worker_id", "worker_name", "bank_account", "amount_fen", "amount_yuan")
CONTENT_TYPE = "text/csv; charset=utf-8"


def bank_file_name(batch_id: int) -> str:
    return f"payment-batch-{batch_id}.csv"


def render_bank_file(batch: PaymentBatch) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheet programs then read Chinese names right); pending lines only."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for line in batch.lines:
        if line.status == "pending":
            writer.writerow([line.id, neutralise(line.worker_id), neutralise(line.worker_name),
                             neutralise(line.bank_account or ""), line.amount_fen, f"{line.amount_fen / 100:.2f}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
