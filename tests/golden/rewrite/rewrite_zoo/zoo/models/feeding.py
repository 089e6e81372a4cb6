"""Feedings: mixes ``Column()`` and ``mapped_column()`` in one class."""
from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import DateTime, Index, Text
from sqlmodel import Field, Relationship

from zoo.db import SQLModelBase


class FeedingBase(SQLModelBase):
    """Fields Feeding shares with FeedingCreate."""

    food: str = Field(max_length=40, sa_column_kwargs={"name": "food_name"})
    quantity_kg: Decimal = Field(gt=0, max_digits=12, decimal_places=4)
    remarks: Optional[str] = Field(default=None, sa_type=Text)


class Feeding(FeedingBase, table=True):
    __tablename__ = "feedings"
    __table_args__ = (Index("ix_feedings_animal_fed", "animal_id", "fed_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    animal_id: int = Field(foreign_key="animals.id", ondelete="CASCADE")
    fed_at: datetime = Field(sa_type=DateTime, sa_column_kwargs={"default": datetime.utcnow})

    animal: "Animal" = Relationship(back_populates="feedings")
