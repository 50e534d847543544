"""The reason phrases of HTTP status codes, shared by :mod:`erlen.http` and the errors."""

from __future__ import annotations

from http import HTTPStatus

#: Reason phrases by status code. Python's table, with the names Flask and Werkzeug users
#: see where Python 3.13 adopted RFC 9110's wording.
HTTP_STATUS_CODES: dict[int, str] = {status.value: status.phrase for status in HTTPStatus}
HTTP_STATUS_CODES.update(
    {
        413: "Request Entity Too Large",
        414: "Request URI Too Large",
        416: "Requested Range Not Satisfiable",
        418: "I'm a teapot",
        422: "Unprocessable Entity",
    }
)
