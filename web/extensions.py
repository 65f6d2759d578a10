"""Flask extensions, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# Every package's tables, registered with the metadata.
import groups.beneficiaries.models
import groups.placement.models
import groups.savings.models
import groups.savings.snapshots
import groups.savings.visits
import groups.training.models  # noqa: F401
import ledger.models  # noqa: F401
import web.auth.events
import web.auth.models
import web.auth.tokens
import web.marks
import web.reports.models  # noqa: F401
from ledger.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
