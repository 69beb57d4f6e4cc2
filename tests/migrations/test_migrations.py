"""The initial migration builds exactly the models' schema, and downgrades cleanly."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.search.engine import is_migrated_object
from tests.conftest import make_app


def test_upgrade_yields_the_models_schema_and_downgrade_removes_it(tmp_path, new_database):
    app = make_app(tmp_path, new_database())
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []

        flask_migrate.downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_records_saved_before_versions_start_at_version_one(tmp_path, new_database):
    app = make_app(tmp_path, new_database())
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


def test_existing_programmes_zones_and_incubators_become_sample_data_and_come_back(
    tmp_path, new_database
):
    app = make_app(tmp_path, new_database())
    with app.app_context():
        flask_migrate.upgrade(revision="0011")
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO agency (id, code, name_vi, version) VALUES (1, 'SCT', 'Sở', 1)",
                "INSERT INTO programme (slug, agency_id, title_vi, support_types,"
                " eligible_size_classes, geographic_scope, eligible_ward_codes, rolling,"
                " verified, archived, version, created_at, updated_at)"
                " VALUES ('p', 1, 'P', '[]', '[]', 'province', '[]', false, true, false, 1,"
                " '2026-01-01', '2026-01-01')",
                "INSERT INTO zone (slug, name_vi, kind, status, verified, archived, version,"
                " created_at, updated_at) VALUES ('z', 'Z', 'industrial_park', 'operating', false,"
                " false, 1, '2026-01-01', '2026-01-01')",
                "INSERT INTO incubator (slug, name_vi, host_organisation, is_sample, version,"
                " created_at, updated_at) VALUES ('i', 'I', 'H', true, 1, '2026-01-01',"
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


def test_enterprise_types_are_read_from_the_form_of_the_tax_code(tmp_path, new_database):
    app = make_app(tmp_path, new_database())
    with app.app_context():
        flask_migrate.upgrade(revision="0011")
        firms = [
            # tax code, status, size class
            ("4398384686", "published", "large"),
            ("4398384686002", "published", "small"),
            ("0498751188001", "published", "small"),  # its enterprise is not listed
            ("051078004213", "published", "micro"),
            ("4398388232", "draft", "micro"),
        ]
        with db.engine.begin() as connection:
            for number, (tax_code, status, size) in enumerate(firms):
                connection.execute(
                    sa.text(
                        "INSERT INTO firm (slug, tax_code, legal_name, size_class, status,"
                        " is_sample, show_contact, seeking_investment, investment_types,"
                        " version, created_at, updated_at)"
                        " VALUES (:slug, :tax_code, 'Tên', :size, :status, false, false, false,"
                        " '[]', 1, '2026-01-01', '2026-01-01')"
                    ),
                    {"slug": f"f{number}", "tax_code": tax_code, "size": size, "status": status},
                )

        flask_migrate.upgrade(revision="0012")

        with db.engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT tax_code, enterprise_type, size_class FROM firm ORDER BY id")
            ).all()
        assert found == [
            ("4398384686", None, "large"),
            ("4398384686002", "branch", "large"),  # its listed enterprise's class
            ("0498751188001", "branch", "small"),
            ("051078004213", "household", None),  # not an enterprise: no size class
            ("4398388232", None, "micro"),
        ]
        flask_migrate.downgrade(revision="0011")
        columns = {column["name"] for column in sa.inspect(db.engine).get_columns("firm")}
        assert "enterprise_type" not in columns
        db.engine.dispose()


def test_autogenerate_leaves_the_search_index_tables_alone(app):
    """The PostgreSQL search backend creates its own tables in the app's database: derived
    data, which migrations must neither drop nor expect."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the search index lives in the database only on PostgreSQL")
    from search_index.postgres_backend import TABLES, PostgresBackend

    PostgresBackend(db.engine).generation()  # creates the tables
    with db.engine.connect() as connection:
        bare = MigrationContext.configure(connection, opts={"compare_type": True})
        removed = {diff[1].name for diff in compare_metadata(bare, db.metadata)}
        assert removed >= set(TABLES)
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": is_migrated_object}
        )
        assert compare_metadata(context, db.metadata) == []


def test_api_tokens_go_with_their_account_and_their_table_with_the_downgrade(
    tmp_path, new_database
):
    app = make_app(tmp_path, new_database())
    with app.app_context():
        flask_migrate.upgrade(revision="0021")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    'INSERT INTO "user" (id, email, password_hash, name, role, active,'
                    " preferred_language, created_at, session_token)"
                    " VALUES (1, 'lan@example.vn', 'x', 'Lan', 'business', true, 'vi',"
                    " '2026-01-01', 'abc')"
                )
            )

        flask_migrate.upgrade(revision="0022")

        insert_token = sa.text(
            "INSERT INTO api_token (user_id, name, scope, secret_digest, prefix, created_at,"
            " expires_at) VALUES (1, 'Báo cáo', :scope, :digest, 'cnmt_abc', '2026-01-01',"
            " '2026-04-01')"
        )
        with db.engine.begin() as connection:
            connection.execute(insert_token, {"scope": "read", "digest": "a" * 64})
        for scope, digest in (("read", "a" * 64), ("admin", "b" * 64)):  # a duplicate; a bad scope
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
                connection.execute(insert_token, {"scope": scope, "digest": digest})
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "sqlite":
                connection.execute(sa.text("PRAGMA foreign_keys = ON"))
            connection.execute(sa.text('DELETE FROM "user"'))
            assert connection.execute(sa.text("SELECT count(*) FROM api_token")).scalar() == 0
        flask_migrate.downgrade(revision="0021")
        assert "api_token" not in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
