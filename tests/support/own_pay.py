"""A worker signing in to their own pay with a phone: the text messages the pages send, caught in a list."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import app.web.me
from app.db.models import Worker
from app.db.phones import mobile_number
from app.messages.senders import Sent
from support.pages import PageClient

WANG_PHONE, LI_PHONE = "13800138000", "13907971234"
_CODE = re.compile(r"验证码：([0-9]{6})")


@dataclass
class Texts:
    """A sender that keeps what it is given: (number, text) pairs, in order."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, phone: str, text: str) -> Sent:
        self.sent.append((phone, text))
        return Sent(200)

    def code_for(self, phone: str) -> str:
        [last] = [text for to, text in self.sent if to == mobile_number(phone)][-1:]
        return _CODE.search(last).group(1)


def catch_texts(monkeypatch) -> Texts:
    texts = Texts()
    monkeypatch.setattr(app.web.me, "sender_for", lambda _settings: texts)
    return texts


def give_phone(runtime, worker_id: str, phone: str) -> None:
    with runtime.sessions.begin() as session:
        session.get(Worker, worker_id).phone = phone


def ask_code(pages: PageClient, phone: str):
    """Ask for a code, and let the answer go as a browser does: the code is sent once it has."""
    pages.get("/me/login")
    response = pages.post("/me/login", {"phone": phone})
    response.close()
    return response


def sign_in_worker(app, texts: Texts, phone: str, language: str | None = None) -> PageClient:
    pages = PageClient(app, language)
    assert ask_code(pages, phone).status_code == 303
    pages.get("/me/code")
    response = pages.post("/me/code", {"code": texts.code_for(phone)})
    assert response.status_code == 303, response.get_data(as_text=True)
    pages.token = None
    return pages
