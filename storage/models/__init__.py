"""All tables. Import every model module here so Alembic and create_all see them."""

from storage.models import adverts as adverts  # reported job adverts
from storage.models import agencies as agencies  # agency register
from storage.models import channels as channels  # inbox, delivery statuses
from storage.models import complaints as complaints  # complaint tables
from storage.models import media as media  # files users sent (photos, PDFs)
from storage.models import staff_audit as staff_audit  # dashboard sign-in/export audit
from storage.models import staff_security as staff_security  # sessions, failed sign-ins
from storage.models import transcript as transcript  # web chat turns (history)
from storage.models import villages as villages  # villages, attribution, topics
from storage.models.base import Base, utcnow
from storage.models.core import Unanswered, User

__all__ = ["Base", "Unanswered", "User", "utcnow"]
