from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, func
from sqlmodel import Field, SQLModel


class AuditMixin(SQLModel):
    """Creation and update times, filled in by the database."""

    created_at: datetime = Field(sa_type=DateTime, sa_column_kwargs={"server_default": func.now()})
    updated_at: Optional[datetime] = Field(sa_type=DateTime, sa_column_kwargs={"onupdate": func.now(), "comment": "last change, set on UPDATE"})
