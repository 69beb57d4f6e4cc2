"""Saving a form through a service action, once for every page: the service's refusals show on
the form, which keeps what was typed (400); a conflict is flashed and the form takes the
record's current version, so that saving again replaces the other save knowingly (409).

`save_form` is that step for any page; `RecordEditor` is the whole new and edit pages of the
curators' reference records (programmes, zones, incubators, agencies, events)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.authorization import authorize
from app.errors import Conflict, ValidationError
from app.forms import bind_errors
from app.transaction import version_of


def save_form(
    form, write: Callable[[], Any], current_version: Callable[[], int] | None = None
) -> tuple[Any, int]:
    """Run `write` (the service action, with the form's data): (its result, 200) once saved;
    else (None, 400) with the refusal on `form`, or (None, 409) after a conflict, with
    `current_version()` (the record's version now) in the form's `version` field."""
    try:
        return write(), 200
    except ValidationError as error:
        bind_errors(form, error)
        return None, 400
    except Conflict as error:
        flash(error.message, "error")
        if current_version is not None:
            form.version.data = current_version()
        return None, 409


def form_status() -> int:
    """The status of a form page shown without saving: 400 when a POST did not validate."""
    return 400 if request.method == "POST" else 200


@dataclass(frozen=True)
class RecordEditor:
    template: str  # rendered with `form` and `record` (None on the new page)
    endpoint: str  # the edit page, taking `record_id`
    form: Callable  # form(record or None): the form with its choices and the record's data
    get: Callable  # get(actor, record_id): the record, if the actor may edit it
    create: Callable  # create(actor, data) -> record
    update: Callable  # update(actor, record_id, data, version) -> record
    create_action: str  # the registered action that creating one needs
    created: Callable[[], str] = lambda: _("Saved.")  # the message once a record is created

    def new(self):
        authorize(current_user, self.create_action)
        form = self.form(None)
        if form.validate_on_submit():
            record, status = save_form(form, lambda: self.create(current_user, form.service_data()))
            if status != 200:
                return self._render(form, None, status)
            flash(self.created(), "success")
            return redirect(url_for(self.endpoint, record_id=record.id))
        return self._render(form, None, form_status())

    def edit(self, record_id: int):
        record = self.get(current_user, record_id)
        form = self.form(record)
        if request.method == "GET":
            form.version.data = version_of(record)
        if form.validate_on_submit():
            _saved, status = save_form(
                form,
                lambda: self.update(
                    current_user, record_id, form.service_data(), form.version.data
                ),
                lambda: version_of(self.get(current_user, record_id)),
            )
            if status != 200:
                return self._render(form, self.get(current_user, record_id), status)
            flash(_("Saved."), "success")
            return redirect(url_for(self.endpoint, record_id=record_id))
        return self._render(form, record, form_status())

    def _render(self, form, record, status: int):
        return render_template(self.template, form=form, record=record), status
