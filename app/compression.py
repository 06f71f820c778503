"""Answers compressed for the clients that accept it (Flask-Compress): pages, their static files and the API's
JSON, so gunicorn (and `bin/serve`, which runs it) sends a phone on a weak signal a fraction of the bytes.

Never for a request that another site made (its Fetch Metadata says `cross-site` or `same-site`): a page carries
a CSRF token and echoes its own address, and the length of a compressed answer to requests an attacker's page
forges, each with a guess in its address, would tell the guesses that match (BREACH). docs/architecture.md says
why this and not another defence.
"""
from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

compress = Compress()
FOREIGN = frozenset({"cross-site", "same-site"})  # Sec-Fetch-Site of a request that a page elsewhere caused


def init_compression(app: Flask) -> None:
    app.config["COMPRESS_REGISTER"] = False  # compressed by `compress_answer`, which first looks at who asked
    compress.init_app(app)
    app.after_request(compress_answer)


def compress_answer(response: Response) -> Response:
    if response.status_code == 206:  # a range of a file's bytes as they are; compressing it would garble it
        return response
    if request.headers.get("Sec-Fetch-Site") in FOREIGN:  # pages are never stored by a cache: no Vary needed
        return response
    if response.direct_passthrough and response.mimetype in compress.compress_mimetypes_set:
        # A static file, read whole (they are small): compressed with a length, its file closed with the answer,
        # and its ETag, tagged with the encoding, answering the browser's next conditional request with a 304.
        response.make_sequence()
        response.direct_passthrough = False
    return compress.after_request(response)
