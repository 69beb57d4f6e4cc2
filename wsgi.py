"""WSGI entry point: `gunicorn wsgi:app` in production, `flask run` in development."""

import os

from app import create_app
from config import CONFIGS

app = create_app(CONFIGS[os.environ.get("APP_CONFIG", "default")]())
