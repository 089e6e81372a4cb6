from decimal import Decimal
from typing import Optional

from sqlalchemy import String, Text
from sqlmodel import Field, Relationship

from app.db import SQLModelBase
from app.models.mixins import TimestampMixin


class PostFields(SQLModelBase):
    """Fields Post shares with PostBase."""

    title: str = Field(sa_type=String(200))
    body: Optional[str] = Field(default=None, sa_type=Text)


class Post(TimestampMixin, PostFields, table=True):
    __tablename__ = "posts"

    id: int | None = Field(default=None, primary_key=True)
    published: bool = Field(default=False)
    rating: Decimal | None = Field(max_digits=10, decimal_places=2)
    # no index on purpose: the analyzer reports it (SQM309)
    author_id: int = Field(foreign_key="users.id", ondelete="CASCADE")

    author: Optional["User"] = Relationship(back_populates="posts")
    comments: list["Comment"] = Relationship(back_populates="post", cascade_delete=True)
