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
