"""Accounts: register, verify e-mail, log in and out, reset and change password, profile."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import views  # noqa: E402,F401
