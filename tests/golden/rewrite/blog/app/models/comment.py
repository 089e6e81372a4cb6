from typing import Optional

from sqlalchemy import Text
from sqlmodel import Field, Relationship

from app.db import SQLModelBase


class CommentBase(SQLModelBase):
    """Fields Comment shares with CommentOut."""

    id: int = Field(primary_key=True)
    content: str = Field(sa_type=Text)
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE", index=True)
    author_id: int = Field(foreign_key="users.id", index=True)


class Comment(CommentBase, table=True):
    __tablename__ = "comments"

    post: Optional["Post"] = Relationship(back_populates="comments")
    author: Optional["User"] = Relationship(back_populates="comments")
