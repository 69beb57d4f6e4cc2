"""Import services: templates, the dry run that checks every row, and the apply step that writes
all rows in one transaction (or none). Only reviewers of firm listings (SCT curators and
administrators) may import."""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import audit
from app.authorization import authorize
from app.errors import NotFound, ValidationError
from app.imports.cells import CellError
from app.imports.kinds import KINDS, Context, ImportKind, unknown_message
from app.imports.reading import FORMATS, Sheet, read_upload
from app.models import User
from app.tabular import Table, csv_bytes, xlsx_bytes
from app.transaction import flush, unit_of_work

SIGNED_UPLOAD_MAX_AGE = 3600  # seconds between the dry run and the apply step


@dataclass
class RowProblem:
    line: int
    column: str
    message: str


@dataclass
class _PlannedRow:
    line: int
    values: dict
    record: object
    before: dict | None
    after: dict
    change: str  # "created", "updated" or "unchanged"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _kind(actor: User | None, kind_name: str) -> ImportKind:
    authorize(actor, "import.run")
    if kind_name not in KINDS:
        raise NotFound()
    return KINDS[kind_name]()


def import_kinds(actor: User | None) -> list[ImportKind]:
    authorize(actor, "import.run")
    return [kind() for kind in KINDS.values()]


def import_kind(actor: User | None, kind_name: str) -> ImportKind:
    return _kind(actor, kind_name)


def template_file(actor: User | None, kind_name: str, file_format: str) -> tuple[str, bytes]:
    """(file name, content): the column headings and one example row."""
    kind = _kind(actor, kind_name)
    if file_format not in FORMATS:
        raise NotFound()
    table = Table(
        title=kind.name,
        headers=[column.name for column in kind.columns],
        rows=[[column.example for column in kind.columns]],
    )
    content = csv_bytes(table) if file_format == "csv" else xlsx_bytes([table])
    return f"import-{kind.name}.{file_format}", content


def read_file(actor: User | None, kind_name: str, filename: str | None, content: bytes) -> Sheet:
    _kind(actor, kind_name)
    return read_upload(filename, content)


def dry_run(actor: User | None, kind_name: str, sheet: Sheet) -> ImportResult:
    """Check every row and count what applying would do; nothing is written."""
    kind = _kind(actor, kind_name)
    with unit_of_work() as uow:
        result, _planned, _ctx = _plan(kind, sheet)
        uow.discard()
    return result


def apply_import(actor: User | None, kind_name: str, sheet: Sheet) -> ImportResult:
    """Check every row again against the current data, then write all rows, or none if any
    row has a problem. Each created or updated record gets an `import.<kind>` audit event."""
    kind = _kind(actor, kind_name)
    with unit_of_work() as uow:
        result, planned, ctx = _plan(kind, sheet)
        if not result.ok:
            uow.discard()
            return result
        for row in planned:
            if row.change == "unchanged":
                continue
            record = kind.write(row.record, row.values, ctx, row.line)
            flush()
            audit.record(
                actor, f"import.{kind.name}", kind.entity, record.id, row.before, row.after
            )
    result.applied = True
    return result


def sign_sheet(actor: User, kind_name: str, sheet: Sheet) -> str:
    """The checked rows, signed so that the apply step gets exactly what the curator saw."""
    return _serializer().dumps(
        {"user": actor.id, "kind": kind_name, "headers": sheet.headers, "rows": sheet.rows}
    )


def unsign_sheet(actor: User | None, kind_name: str, token: str) -> Sheet:
    _kind(actor, kind_name)
    try:
        data = _serializer().loads(token or "", max_age=SIGNED_UPLOAD_MAX_AGE)
    except BadSignature as error:
        raise ValidationError(
            _("The checked file has expired or was changed. Please upload it again.")
        ) from error
    if data.get("user") != actor.id or data.get("kind") != kind_name:
        raise ValidationError(_("The checked file belongs to another import. Upload it again."))
    return Sheet(data["headers"], [(line, cells) for line, cells in data["rows"]])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="imports.apply")


def _header_problems(kind: ImportKind, headers: list[str]) -> list[RowProblem]:
    problems = []
    for index, name in enumerate(headers):
        if name and kind.column(name) is None:
            problems.append(RowProblem(1, name, _("Unknown column.")))
        elif name and name in headers[:index]:
            problems.append(RowProblem(1, name, _("This column appears twice.")))
    for column in kind.columns:
        if column.required and column.name not in headers:
            problems.append(RowProblem(1, column.name, _("This required column is missing.")))
    return problems


def _plan(kind: ImportKind, sheet: Sheet) -> tuple[ImportResult, list[_PlannedRow], Context]:
    result = ImportResult(kind=kind.name, rows=len(sheet.rows))
    result.problems = _header_problems(kind, sheet.headers)
    ctx = Context.load()
    if result.problems:
        return result, [], ctx
    existing = kind.existing()
    kind.prepare(ctx)
    key_column = kind.column(kind.key)
    later_keys = {
        dict(zip(sheet.headers, cells, strict=True))[kind.key] for _n, cells in sheet.rows
    }
    first_line: dict = {}
    planned = []
    for line, cells in sheet.rows:
        row = dict(zip(sheet.headers, cells, strict=True))
        problems: list[RowProblem] = []

        def problem(column: str, message: str, line=line, problems=problems) -> None:
            problems.append(RowProblem(line, column, message))

        values = _parse_row(kind, row, ctx, later_keys, problem)
        key = values.get(kind.key)
        record = existing.get(key) if key else None
        if key is not None and key in first_line:
            problem(
                key_column.name,
                _(
                    "Duplicate: line %(line)s of this file has the same %(column)s.",
                    line=first_line[key],
                    column=key_column.name,
                ),
            )
        elif key is not None:
            first_line[key] = line
        if not problems:
            kind.check(values, record, ctx, problem)
        if key is not None:
            kind.remember(values, ctx)
        if problems:
            result.problems.extend(problems)
            continue
        after = kind.desired(values)
        if record is None:
            after = {kind.key: values[kind.key], **after}
            planned.append(_PlannedRow(line, values, None, None, after, "created"))
            result.created += 1
            continue
        before_all = kind.state(record, ctx)
        before, changed = audit.changed_fields(before_all, after)
        change = "updated" if changed else "unchanged"
        planned.append(_PlannedRow(line, values, record, before, changed, change))
        setattr(result, change, getattr(result, change) + 1)
    return result, planned, ctx


def _parse_row(kind: ImportKind, row: dict, ctx: Context, later_keys: set, problem) -> dict:
    values = {}
    for name, raw in row.items():
        column = kind.column(name)
        if column is None:
            continue
        if column.required and not raw:
            problem(name, _("This field is required."))
            continue
        try:
            value = column.parse(raw)
        except CellError as error:
            problem(name, str(error))
            continue
        if value is not None and column.low is not None and value < column.low:
            problem(name, _("The value must be at least %(low)s.", low=column.low))
            continue
        if value is not None and column.high is not None and value > column.high:
            problem(name, _("The value must be at most %(high)s.", high=column.high))
            continue
        if column.refers_to:
            codes = value if isinstance(value, list) else [value] if value else []
            missing = [code for code in codes if not ctx.knows(column.refers_to, code)]
            if missing and column.refers_to == kind.refers_to_itself and set(missing) <= later_keys:
                problem(
                    name,
                    _(
                        "%(codes)s is defined on a later row: put it earlier in the file.",
                        codes=", ".join(missing),
                    ),
                )
                continue
            if missing:
                problem(name, unknown_message(column.refers_to, missing))
                continue
        values[name] = value
    return values
