"""Categories and tags: models and their schemas side by side."""
from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, func
from sqlmodel import Field, Relationship

from app.common import ORMModel, Timestamped
from app.db import SQLModelBase


class CategoryBase(SQLModelBase):
    """Fields Category shares with CategoryCreate."""

    name: str = Field(max_length=50, unique=True)
    description: Optional[str] = Field(default=None, max_length=255)


class Category(CategoryBase, table=True):
    __tablename__ = "categories"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime | None = Field(sa_type=DateTime, sa_column_kwargs={"server_default": func.now()})

    products: list["Product"] = Relationship(back_populates="category")


class Tag(SQLModelBase, table=True):
    __tablename__ = "tags"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=30, unique=True)


class CategoryCreate(CategoryBase):
    pass


class CategoryOut(Timestamped):
    id: int
    name: str
    description: Optional[str] = None


class TagOut(ORMModel):
    id: int
    label: str
