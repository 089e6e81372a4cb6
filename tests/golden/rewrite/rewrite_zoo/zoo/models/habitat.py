"""Habitats: legacy ``Column()`` style."""
from decimal import Decimal
from typing import Optional

from sqlalchemy import (CheckConstraint, Enum, Identity, SmallInteger,
                        Text, text)
from sqlmodel import Field, Relationship

from zoo.db import SQLModelBase
from zoo.enums import Climate
from zoo.models.mixins import AuditMixin


class HabitatFields(SQLModelBase):
    """Fields Habitat shares with HabitatBase."""

    name: str = Field(min_length=2, max_length=50, unique=True)
    description: Optional[str] = Field(default=None, sa_type=Text)
    is_open: bool = True


class Habitat(AuditMixin, HabitatFields, table=True):
    __tablename__ = "habitats"
    __table_args__ = (CheckConstraint("capacity >= 0", name="ck_habitats_capacity"),)

    id: Optional[int] = Field(default=None, primary_key=True, sa_column_args=[Identity()])
    climate: Climate = Field(sa_type=Enum(Climate), sa_column_kwargs={"default": Climate.temperate})
    area: Decimal = Field(max_digits=12, decimal_places=4, sa_column_kwargs={"comment": "square metres"})
    capacity: int = Field(sa_type=SmallInteger, sa_column_kwargs={"server_default": text("0")})
    # the database column predates the attribute name
    code: Optional[str] = Field(max_length=20, index=True, sa_column_kwargs={"name": "habitat_code"})

    animals: list["Animal"] = Relationship(back_populates="habitat", sa_relationship_kwargs={"order_by": "Animal.name"})
