"""/api/v1/statistics: the figures of /statistics with the rows of their tables and CSV files."""

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import Firm, FirmStatus


def test_each_public_figure_has_the_rows_of_its_csv_download(api):
    body = api.get("/api/v1/statistics").get_json()

    keys = [figure["key"] for figure in body["figures"]]
    assert keys == [
        "firms-by-group",
        "firms-by-ward",
        "firms-by-zone",
        "firms-by-size",
        "firms-verified",
        "firms-by-year",
        "programmes-by-support",
        "programmes-by-status",
        "events-attendance-by-kind",
    ]
    for figure in body["figures"]:
        assert figure["csv"] == f"http://cnmt.test/statistics/{figure['key']}.csv"
        download = api.get(f"/statistics/{figure['key']}.csv").get_data(as_text=True)
        heading, *rows, total = list(csv.reader(io.StringIO(download.lstrip("\ufeff"))))
        assert heading[0] == figure["label_heading"]
        assert [[r["label"], str(r["value"])] for r in figure["rows"]] == rows
        assert str(figure["total"]) == total[1]


def test_firms_that_are_not_published_are_not_counted(api):
    published = db.session.scalars(sa.select(Firm).where(Firm.status == FirmStatus.PUBLISHED)).all()
    published[0].status = FirmStatus.DRAFT
    published[1].status = FirmStatus.ARCHIVED
    db.session.commit()

    figures = {f["key"]: f for f in api.get("/api/v1/statistics").get_json()["figures"]}

    assert figures["firms-by-size"]["total"] == len(published) - 2
    assert figures["firms-verified"]["total"] == len(published) - 2


def test_titles_and_labels_are_in_the_language_asked_for(api):
    vietnamese = api.get("/api/v1/statistics").get_json()["figures"][3]
    english = api.get("/api/v1/statistics", headers={"Accept-Language": "en"}).get_json()
    asked = api.get("/api/v1/statistics?lang=en").get_json()

    assert english == asked
    english = english["figures"][3]
    assert english["title"] == "Published firms by size class"
    assert vietnamese["title"] != english["title"]
    assert [r["value"] for r in vietnamese["rows"]] == [r["value"] for r in english["rows"]]
    assert vietnamese["rows"][0]["label"] != english["rows"][0]["label"]
