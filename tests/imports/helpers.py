"""Shared steps for the import tests: building CSV/XLSX files, uploading, counting records."""

import csv
import io
import re

import sqlalchemy as sa
from openpyxl import Workbook

from app.extensions import db
from app.models import AuditEvent
from tests.conftest import csrf_token
from tests.curation.helpers import CURATOR, as_user


def csv_file(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, kind: str, content: bytes, filename: str = "data.csv", apply=False):
    """POST a file to the import page of `kind`: a dry run, or straight to apply."""
    url = f"/curation/imports/{kind}"
    data = {"csrf_token": csrf_token(client, url), "file": (io.BytesIO(content), filename)}
    if apply:
        data["apply"] = "Import"
    return client.post(url, data=data, content_type="multipart/form-data")


def apply_checked(client, kind: str, dry_run_html: str):
    """Confirm a dry run by posting back its signed rows, as the "Import" button does."""
    token = re.search(r'name="checked" type="hidden" value="([^"]+)"', dry_run_html)
    assert token, "the dry run offered no import button"
    url = f"/curation/imports/{kind}"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "checked": token.group(1), "apply": "Import"},
    )


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_count(action: str) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def login_curator(client):
    return as_user(client, CURATOR)
