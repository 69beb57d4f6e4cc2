"""`flask users …`: create curator and administrator accounts, list accounts, change a role,
deactivate and reactivate one (administrators do the same on the web)."""

import sys

import click
from flask_babel import force_locale

from app.accounts import api_tokens, service
from app.accounts.views import bp
from app.errors import DomainError

bp.cli.help = "Manage accounts (administrators also can on the web, at /admin/users)."


@bp.cli.command("create")
@click.option("--email", required=True, help="The person's e-mail address (their login).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
@click.option("--role", type=click.Choice(["curator", "admin"]), required=True, help="Staff role.")
@click.option("--agency", "agency_code", help="Agency code, e.g. SCT (required for curators).")
@click.option("--name", help="Display name (default: the part of the address before @).")
def create_command(
    email: str, password_stdin: bool, role: str, agency_code: str | None, name: str | None
) -> None:
    """Create a curator or administrator account (verified from the start)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _run(
        service.create_staff_user,
        None,
        email=email,
        password=password,
        role=role,
        agency_code=agency_code,
        name=name,
    )
    agency = f" ({user.agency.code})" if user.agency else ""
    click.echo(f"Created {user.role.value}{agency}: {user.email}")


@bp.cli.command("list")
@click.option(
    "--role",
    type=click.Choice(["business", "investor", "curator", "admin"]),
    help="Only accounts with this role.",
)
def list_command(role: str | None) -> None:
    """List accounts: e-mail, role, agency, verified, active, last login."""
    for user in service.list_users(role):
        click.echo(
            "\t".join(
                [
                    user.email,
                    user.role.value,
                    user.agency.code if user.agency else "-",
                    "verified" if user.email_verified_at else "unverified",
                    "active" if user.active else "deactivated",
                    user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "-",
                ]
            )
        )


@bp.cli.command("set-role")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option(
    "--role",
    type=click.Choice(["business", "investor", "curator", "admin"]),
    required=True,
    help="The new role.",
)
@click.option("--agency", "agency_code", help="Agency code (required for curators).")
def set_role_command(email: str, role: str, agency_code: str | None) -> None:
    """Change an account's role and agency (recorded in the audit trail)."""
    user = _run(service.set_user_role, None, email=email, role=role, agency_code=agency_code)
    click.echo(f"{user.email} is now {user.role.value}.")


@bp.cli.command("deactivate")
@click.option("--email", required=True, help="The account's e-mail address.")
def deactivate_command(email: str) -> None:
    """Stop an account from logging in (recorded in the audit trail)."""
    user = _run(service.deactivate_user, None, email=email)
    click.echo(f"Deactivated {user.email}.")


@bp.cli.command("reactivate")
@click.option("--email", required=True, help="The account's e-mail address.")
def reactivate_command(email: str) -> None:
    """Let a deactivated account log in again (recorded in the audit trail)."""
    user = _run(service.reactivate_user, None, email=email)
    click.echo(f"Reactivated {user.email}.")


@bp.cli.command("api-token")
@click.option("--email", required=True, help="The account's e-mail address.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--days", type=click.Choice(["30", "90", "365"]), default="90", show_default=True)
@click.option("--name", default="command line", show_default=True, help="What it is for.")
def api_token_command(email: str, scope: str, days: str, name: str) -> None:
    """Create a personal API token for an account and print its secret, this once (for a
    program that calls the API as that account; the account sees and revokes it on its page)."""
    user = _run(service.account, email)
    _token, secret = _run(api_tokens.create_token, user, name, scope, int(days))
    click.echo(secret)


def _run(action, *args, **kwargs):
    """Call a service function; a domain error becomes a clear message and exit status 1.

    Messages come out in English, like every other command (there is no request to choose from).
    """
    try:
        with force_locale("en"):
            return action(*args, **kwargs)
    except DomainError as error:
        raise click.ClickException(error.message or str(error)) from error
