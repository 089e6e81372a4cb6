"""Keepers: legacy style, no annotations on the relationship."""
from datetime import datetime, time
from typing import Optional

from sqlalchemy import BigInteger, DateTime
from sqlmodel import Field, Relationship

from zoo.db import SQLModelBase


class KeeperFields(SQLModelBase):
    """Fields Keeper shares with KeeperBase."""

    full_name: str = Field(max_length=120)
    badge_number: int = Field(ge=1, sa_type=BigInteger, unique=True)
    shift_start: Optional[time] = None
    is_vet: bool = False


class Keeper(KeeperFields, table=True):
    __tablename__ = "keepers"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    hired_at: datetime = Field(sa_type=DateTime(timezone=True), sa_column_kwargs={"default": datetime.utcnow})

    animals: list["Animal"] = Relationship(back_populates="keepers", sa_relationship_kwargs={"secondary": "animal_keepers"})
