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
