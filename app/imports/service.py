"""Import services: templates, the dry run that checks every row, and the apply step that writes
all rows in one transaction (or none). Only reviewers of firm listings (SCT curators and
administrators) may import.

Both steps run the same thing: each row, in file order, through its record's `check` and
`apply` (see `kinds.py`), each in a savepoint, so that row N is checked against the database
as rows 1 … N−1 leave it. The dry run then rolls the whole unit of work back; the apply step
commits it, or rolls it back if any row had a problem. What passes the dry run therefore
applies, unless the data changed in between — then the apply step reports the rows, as the dry
run would have.
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import audit
from app.authorization import authorize
from app.errors import DomainError, NotFound, ValidationError
from app.imports.cells import CellError
from app.imports.kinds import KINDS, Context, ImportKind, unknown_message
from app.imports.reading import FORMATS, Sheet, read_upload
from app.models import User
from app.tabular import Table, csv_bytes, xlsx_bytes
from app.transaction import UnitOfWork, unit_of_work

SIGNED_UPLOAD_MAX_AGE = 3600  # seconds between the dry run and the apply step


@dataclass
class RowProblem:
    line: int
    column: str
    message: str


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
    """Check every row and count what applying would do; nothing is saved."""
    kind = _kind(actor, kind_name)
    with unit_of_work() as uow:
        result = _run(actor, kind, sheet, uow)
        uow.discard()
    return result


def apply_import(actor: User | None, kind_name: str, sheet: Sheet) -> ImportResult:
    """Check every row again against the current data and write all rows, or none if any
    row has a problem. Each created or updated record gets an `import.<kind>` audit event."""
    kind = _kind(actor, kind_name)
    with unit_of_work() as uow:
        result = _run(actor, kind, sheet, uow)
        if not result.ok:
            uow.discard()
            return result
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


def _run(actor: User | None, kind: ImportKind, sheet: Sheet, uow: UnitOfWork) -> ImportResult:
    """Write every row that passes, in its own savepoint; report every row that does not."""
    result = ImportResult(kind=kind.name, rows=len(sheet.rows))
    result.problems = _header_problems(kind, sheet.headers)
    if result.problems:
        return result
    ctx = Context.load()
    existing = kind.existing()
    key_column = kind.column(kind.key)
    later_keys = {
        dict(zip(sheet.headers, cells, strict=True))[kind.key] for _n, cells in sheet.rows
    }
    first_line: dict = {}
    for line, cells in sheet.rows:
        row = dict(zip(sheet.headers, cells, strict=True))
        problems: list[RowProblem] = []

        def problem(column: str, message: str, line=line, problems=problems) -> None:
            problems.append(RowProblem(line, column, message))

        values = _parse_row(kind, row, ctx, later_keys, problem)
        key = values.get(kind.key)
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
        if key is not None and kind.refers_to_itself:
            ctx.earlier.setdefault(kind.refers_to_itself, set()).add(key)
        if problems:
            result.problems.extend(problems)
            continue
        record = existing.get(key)
        before = kind.state(record, ctx) if record is not None else None
        try:
            with uow.savepoint():
                record = kind.save(record, values, ctx, line)
        except DomainError as error:
            result.problems.extend(_row_problems(kind, line, error))
            continue
        if kind.refers_to_itself:
            ctx.lookup(kind.refers_to_itself)[key] = record
        _count_and_audit(actor, kind, result, record, before, kind.state(record, ctx))
    return result


def _row_problems(kind: ImportKind, line: int, error: DomainError) -> list[RowProblem]:
    """A refusal of the record's service, on the columns that hold the refused fields."""
    if not error.errors:
        return [RowProblem(line, kind.key, error.message)]
    return [
        RowProblem(line, kind.column_of(name), message)
        for name, messages in error.errors.items()
        for message in messages
    ]


def _count_and_audit(actor, kind: ImportKind, result: ImportResult, record, before, after):
    if before is None:
        result.created += 1
        after = {kind.key: getattr(record, kind.key), **after}
        audit.record(actor, f"import.{kind.name}", kind.entity, record.id, None, after)
        return
    old, new = audit.changed_fields(before, after)
    if not new:
        result.unchanged += 1
        return
    result.updated += 1
    audit.record(actor, f"import.{kind.name}", kind.entity, record.id, old, new)


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
