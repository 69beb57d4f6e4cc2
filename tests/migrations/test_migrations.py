"""The initial migration builds exactly the models' schema, and downgrades cleanly."""

import flask_migrate
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from tests.conftest import make_app


def test_upgrade_yields_the_models_schema_and_downgrade_removes_it(tmp_path):
    app = make_app(tmp_path, tmp_path / "migrated.sqlite3")
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []

        flask_migrate.downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_records_saved_before_versions_start_at_version_one(tmp_path):
    app = make_app(tmp_path, tmp_path / "migrated.sqlite3")
    with app.app_context():
        flask_migrate.upgrade(revision="0009")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO agency (code, name_vi) VALUES ('SCT', 'Sở Công Thương')")
            )

        flask_migrate.upgrade(revision="0010")

        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT code, version FROM agency")).all() == [
                ("SCT", 1)
            ]
        flask_migrate.downgrade(revision="0009")
        columns = {column["name"] for column in sa.inspect(db.engine).get_columns("agency")}
        assert "version" not in columns
        db.engine.dispose()


def test_existing_programmes_zones_and_incubators_become_sample_data_and_come_back(tmp_path):
    app = make_app(tmp_path, tmp_path / "migrated.sqlite3")
    with app.app_context():
        flask_migrate.upgrade(revision="0011")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO agency (id, code, name_vi, version) VALUES (1, 'SCT', 'Sở', 1)",
                "INSERT INTO programme (slug, agency_id, title_vi, support_types,"
                " eligible_size_classes, geographic_scope, eligible_ward_codes, rolling,"
                " verified, archived, version, created_at, updated_at)"
                " VALUES ('p', 1, 'P', '[]', '[]', 'province', '[]', 0, 1, 0, 1,"
                " '2026-01-01', '2026-01-01')",
                "INSERT INTO zone (slug, name_vi, kind, status, verified, archived, version,"
                " created_at, updated_at) VALUES ('z', 'Z', 'industrial_park', 'operating', 0,"
                " 0, 1, '2026-01-01', '2026-01-01')",
                "INSERT INTO incubator (slug, name_vi, host_organisation, is_sample, version,"
                " created_at, updated_at) VALUES ('i', 'I', 'H', 1, 1, '2026-01-01',"
                " '2026-01-01')",
            ):
                connection.execute(sa.text(statement))

        flask_migrate.upgrade(revision="0013")

        with db.engine.connect() as connection:
            for table in ("programme", "zone", "incubator"):
                kinds = connection.execute(sa.text(f"SELECT provenance FROM {table}")).scalars()
                assert list(kinds) == ["sample"], table
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE programme SET provenance = 'verified'"))
        flask_migrate.downgrade(revision="0011")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT verified FROM programme")).scalar() == 1
            assert connection.execute(sa.text("SELECT verified FROM zone")).scalar() == 0
            assert connection.execute(sa.text("SELECT is_sample FROM incubator")).scalar() == 1
        db.engine.dispose()
