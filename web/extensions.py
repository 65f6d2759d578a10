"""Flask extensions, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

# Every package's tables, registered with the metadata.
import groups.beneficiaries.models
import groups.placement.models
import groups.savings.models
import groups.training.models  # noqa: F401
import ledger.models  # noqa: F401
from ledger.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
