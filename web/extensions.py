"""Flask extensions, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

import groups.savings.models  # noqa: F401  (register the tables with the metadata)
import ledger.models  # noqa: F401
from ledger.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
