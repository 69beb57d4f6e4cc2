"""The second step of every destructive action: a page that says what will happen, whose button
posts the same form again with `confirm=yes`. The action runs only then; a forged or replayed
request without it changes nothing. Works without JavaScript."""

from dataclasses import dataclass

from flask import render_template, request
from flask_wtf.csrf import generate_csrf

CONFIRM_FIELD = "confirm"


@dataclass(frozen=True)
class Confirmation:
    question: str  # the page's heading: "Delete the list “Theo dõi”?"
    consequences: tuple[str, ...]  # what will happen, one sentence each
    button: str  # the confirming button's text
    cancel: str  # where "Cancel" goes back to


def confirmed() -> bool:
    """Whether the posted form is the confirmation page's."""
    return request.form.get(CONFIRM_FIELD) == "yes"


def ask(confirmation: Confirmation) -> str:
    """The confirmation page: it re-posts what was posted (with a fresh CSRF token, since the
    person may take their time) to the same address."""
    fields = [
        (name, generate_csrf() if name.endswith("csrf_token") else value)
        for name, values in request.form.lists()
        if name != CONFIRM_FIELD
        for value in values
    ]
    query = request.query_string.decode("utf-8", "replace")
    action = f"{request.path}?{query}" if query else request.path
    return render_template("confirm.html", confirmation=confirmation, fields=fields, action=action)
