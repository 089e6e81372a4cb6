from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Relationship

from app.db import SQLModelBase


class UserFields(SQLModelBase):
    """Fields User shares with UserBase."""

    username: str = Field(min_length=3, max_length=50)


class User(UserFields, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)
    hashed_password: str
    is_active: bool = Field(default=True)
    created_at: datetime | None = Field(sa_type=sa.DateTime, sa_column_kwargs={"server_default": sa.func.now()})

    posts: list["Post"] = Relationship(back_populates="author", cascade_delete=True)
    comments: list["Comment"] = Relationship(back_populates="author")
