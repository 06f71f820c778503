"""What any request may carry, whatever its route: text a database can store, and JSON of bounded depth.

Checked once, before a view reads its arguments, so no route can forget it. A NUL (U+0000) or a lone
surrogate in a path or query parameter, or in any string of a JSON body (keys too), is refused (422):
PostgreSQL stores neither. (Event bodies are the exception: see OWN_TEXT_RULES.) A JSON body nested
deeper than MAX_JSON_DEPTH is refused (400) before anything recurses into it.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask_smorest import abort

from app.api.limits import WRITES

MAX_JSON_DEPTH = 32  # the API's bodies nest four levels at most
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
# Strict JSON admits a NUL or a surrogate only as a \u escape (raw, they are a parse error or not UTF-8):
# a body without one of these needs no walk through its strings.
_MAYBE_BAD_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_EXPLAINED = "text may hold neither NUL nor a lone surrogate"
# Endpoints whose bodies are judged by the event schemas, which refuse such text in every field they keep
# (events.schemas.encodable) and list every bad item of a batch by its index, as the edge could not.
OWN_TEXT_RULES = frozenset({"events.Events"})


def init_input_rules(app: Flask) -> None:
    app.before_request(refuse_bad_input)


def refuse_bad_input() -> None:
    """Abort with a problem naming the first parameter or JSON string that breaks the rules, if any."""
    for kind, name, value in _parameters():
        for text in (name, value):
            if isinstance(text, str) and (fault := text_fault(text)):
                where = f"{kind} {printable(name)}"
                abort(422, message=f"{where} holds {fault}; {_EXPLAINED}",
                      errors={printable(name): [f"holds {fault}; {_EXPLAINED}"]})
    if request.method in WRITES and request.is_json:
        _judge_json_body()


def text_fault(text: str) -> str | None:
    """What in `text` no text may hold ("NUL (U+0000)", "a lone surrogate (U+D800)"), or None."""
    found = _BAD_TEXT.search(text)
    if found is None:
        return None
    character = found.group()
    return "NUL (U+0000)" if character == "\x00" else f"a lone surrogate (U+{ord(character):04X})"


def printable(text: str) -> str:
    """`text` with every character text_fault names written as its escape, fit to show in an answer."""
    return _BAD_TEXT.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _parameters() -> Iterator[tuple[str, str, Any]]:
    for name, value in (request.view_args or {}).items():
        yield "path parameter", name, value
    for name, value in request.args.items(multi=True):
        yield "query parameter", name, value


def _judge_json_body() -> None:
    try:
        text = request.get_data(cache=True).decode()
        document = json.loads(text)
    except RecursionError:
        abort(400, message=f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    except ValueError:  # not UTF-8 or not JSON: the view's own parsing says so (400)
        return
    if nested_deeper_than(document, MAX_JSON_DEPTH):
        abort(400, message=f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    if request.endpoint in OWN_TEXT_RULES:
        return
    if _MAYBE_BAD_ESCAPE.search(text) and (found := first_bad_string(document)):
        where, fault = found
        abort(422, message=f"the JSON body at {where} holds {fault}; {_EXPLAINED}",
              errors={where: [f"holds {fault}; {_EXPLAINED}"]})


def nested_deeper_than(document: Any, limit: int) -> bool:
    """Whether a parsed JSON document has arrays or objects more than `limit` levels deep (level by level,
    without recursion)."""
    level = [document] if isinstance(document, (dict, list)) else []
    for _ in range(limit):
        if not level:
            return False
        level = [child for container in level
                 for child in (container.values() if isinstance(container, dict) else container)
                 if isinstance(child, (dict, list))]
    return bool(level)


def first_bad_string(document: Any) -> tuple[str, str] | None:
    """(where, what) of the first string or key, in document order, that holds what text_fault names:
    `where` is the path of its value, e.g. "events.1.data.reason" ("body" for the document itself)."""
    pending: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str) and (fault := text_fault(value)):
            return ".".join(path) or "body", fault
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        children = []
        for key, item in items:
            key = str(key)
            if fault := text_fault(key):
                return ".".join((*path, printable(key))), f"{fault} in its key"
            children.append((item, (*path, key)))
        pending.extend(reversed(children))
    return None
