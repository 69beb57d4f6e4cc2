"""Each kind's template downloads as CSV and XLSX and, filled in, imports cleanly."""

import io

import pytest
from openpyxl import load_workbook

from app.imports.kinds import KINDS
from tests.imports.helpers import login_curator, upload


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_template_downloads_and_reimports_cleanly(client, kind, file_format):
    login_curator(client)

    download = client.get(f"/curation/imports/{kind}/template.{file_format}")

    assert download.status_code == 200
    assert f"import-{kind}.{file_format}" in download.headers["Content-Disposition"]
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(download.data)).active
        assert [cell.value for cell in sheet[1]][0] in {"code", "tax_code", "slug"}
        assert sheet.max_row == 2
    response = upload(client, kind, download.data, filename=f"filled.{file_format}", apply=True)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "Imported: 1 created, 0 updated, 0 unchanged." in page
