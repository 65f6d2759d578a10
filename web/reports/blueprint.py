"""The reports blueprint, shared by its view modules (``routes`` imports them all)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
