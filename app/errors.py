"""The closed set of domain errors, and the one place that maps them to HTTP responses."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db


class DomainError(Exception):
    status = 400
    title: str | None = None  # the page's heading, when the status's usual one would mislead

    def __init__(self, message: str = "", errors: dict | None = None):
        super().__init__(message)
        self.message = message
        # One shape for every caller: {field name: [messages]} (a single message is accepted).
        self.errors: dict[str, list[str]] = {
            name: [messages] if isinstance(messages, str) else list(messages)
            for name, messages in (errors or {}).items()
        }


class ValidationError(DomainError):
    status = 400


class Unauthenticated(DomainError):
    """No valid credentials came with the request (an API token unknown, malformed, revoked or
    expired, or its account deactivated or deleted). Answered 401 with `WWW-Authenticate`."""

    status = 401

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or _(
                "The API token is missing, invalid, revoked or expired. Create a new one on your "
                "account page."
            )
        )


class Forbidden(DomainError):
    status = 403


class VerificationRequired(Forbidden):
    """Refused only because the account's e-mail address is not confirmed yet."""

    def __init__(self, email: str):
        super().__init__(
            _(
                "Listing or claiming a firm, asking for introductions, e-mail alerts and "
                "expressions of interest need a confirmed e-mail address. Open the link we "
                "mailed to %(email)s, or have it sent again.",
                email=email,
            )
        )
        self.title = _("Please confirm your e-mail address first")


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooManyAttempts(DomainError):
    """Refused for now; `retry_after` says in how many seconds to try again."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


API_PREFIX = "/api/v1/"
PROBLEM_TYPE = "application/problem+json"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        412: _("Precondition failed"),
        415: _("Unsupported media type"),
        422: _("Invalid data"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
    }


def _explanations() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check what you entered."),
        401: _("Send a valid API token: Authorization: Bearer <token>."),
        403: _("You do not have permission to see this page."),
        404: _("The page you asked for does not exist or is not public."),
        405: _("This address does not accept that kind of request."),
        409: _("Someone else changed this record at the same time. Please reload and try again."),
        412: _("The record has changed since you read it. Read it again and retry."),
        415: _("Send the data as JSON (Content-Type: application/json)."),
        422: _("Some of the data sent is not valid; the errors say which."),
        429: _("You have made too many requests. Please wait a moment and try again."),
        500: _("An unexpected error occurred. It has been logged; please try again later."),
    }


def problem(status: int, title: str, detail: str, errors: dict | None = None):
    """An RFC 9457 problem details response; `errors` are field errors, {field: [messages]}."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = {name: [str(m) for m in messages] for name, messages in errors.items()}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    return response


def render_error(
    status: int, message: str | None = None, title: str | None = None, errors: dict | None = None
):
    title = title or _titles().get(status, _("Error"))
    text = message or _explanations().get(status, "")
    if is_api_request():
        return problem(status, str(title), str(text), errors)
    if _wants_json():
        return jsonify(error={"status": status, "title": title, "message": text}), status
    return render_template("errors/error.html", status=status, title=title, message=text), status


def _field_errors(error: HTTPException) -> dict | None:
    """The field errors webargs found in a request's query or body (flask-smorest's `abort(422,
    messages={location: {field: [messages]}})`), as {field: [messages]}."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    errors: dict[str, list[str]] = {}
    for location in messages.values():
        for name, found in location.items() if isinstance(location, dict) else ():
            errors[name] = _flat(found)
    return errors or None


def _flat(found) -> list[str]:
    """Messages of one field. Those marshmallow raises as they are (a schema's "Unknown field.")
    are translated here; formatted ones were translated when raised (app/api/schemas.py)."""
    if isinstance(found, dict):  # a nested field: {index or name: [messages]}
        return [f"{key}: {m}" for key, value in found.items() for m in _flat(value)]
    return [_(str(m)) for m in (found if isinstance(found, list) else [found])]


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        # The API says 422 for data it understood but cannot accept, whether the request's
        # schema or a service's rule found the problem.
        api_invalid = isinstance(error, ValidationError) and is_api_request()
        status = 422 if api_invalid else error.status
        response = make_response(
            render_error(status, error.message or None, error.title, error.errors)
        )
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after)
        if isinstance(error, Unauthenticated):
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @app.errorhandler(SecurityError)
    def handle_untrusted_host(error: SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page template either.
        text = _("This site does not answer to that host name.")
        return text, 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if error.code == 500:
            db.session.rollback()
        response = make_response(render_error(error.code or 500, errors=_field_errors(error)))
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(500)
    def handle_server_error(error):
        db.session.rollback()
        return render_error(500)
