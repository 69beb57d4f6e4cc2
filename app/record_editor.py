"""One record editor for the curators' reference records (programmes, zones, incubators,
agencies): the new and edit pages of a kind of record. The edit form carries the version it was
filled in from; the service's refusals show on the form, which keeps what the curator typed;
a conflict shows the current version's number, so that saving again replaces it knowingly."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.authorization import authorize
from app.errors import Conflict, ValidationError
from app.forms import bind_errors
from app.transaction import version_of


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
            try:
                record = self.create(current_user, form.service_data())
            except ValidationError as error:
                bind_errors(form, error)
                return self._render(form, None, 400)
            flash(self.created(), "success")
            return redirect(url_for(self.endpoint, record_id=record.id))
        return self._render(form, None, _status())

    def edit(self, record_id: int):
        record = self.get(current_user, record_id)
        form = self.form(record)
        if request.method == "GET":
            form.version.data = version_of(record)
        if form.validate_on_submit():
            try:
                self.update(current_user, record_id, form.service_data(), form.version.data)
            except ValidationError as error:
                bind_errors(form, error)
                return self._render(form, self.get(current_user, record_id), 400)
            except Conflict as error:
                flash(error.message, "error")
                record = self.get(current_user, record_id)
                # The curator now knows about the other save: saving again replaces it.
                form.version.data = version_of(record)
                return self._render(form, record, 409)
            flash(_("Saved."), "success")
            return redirect(url_for(self.endpoint, record_id=record_id))
        return self._render(form, record, _status())

    def _render(self, form, record, status: int):
        return render_template(self.template, form=form, record=record), status


def _status() -> int:
    return 400 if request.method == "POST" else 200
