"""Animals: 2.0 ``Mapped[]`` style, with Annotated aliases and a many-to-many to keepers."""
import uuid
from datetime import date
from typing import Any, Optional

from sqlalchemy import (JSON, Column, ForeignKey, Index, Table, Text,
                        UniqueConstraint)
from sqlmodel import Field, Relationship

from zoo.db import Base, SQLModelBase
from zoo.enums import Sex
from zoo.models.mixins import AuditMixin

animal_keepers = Table(
    "animal_keepers",
    Base.metadata,
    Column("animal_id", ForeignKey("animals.id", ondelete="CASCADE"), primary_key=True),
    Column("keeper_id", ForeignKey("keepers.id", onupdate="CASCADE"), primary_key=True),
)


class AnimalFields(SQLModelBase):
    """Fields Animal shares with AnimalBase."""

    born_on: Optional[date] = None
    weight_kg: float = Field(default=0.0, ge=0)
    notes: Optional[str] = Field(default=None, sa_type=Text, sa_column_kwargs={"comment": "free-form keeper notes"})
    tag: Optional[str] = Field(default=None, max_length=12, unique=True, sa_column_kwargs={"name": "tag_code"})
    habitat_id: Optional[int] = Field(default=None, foreign_key="habitats.id", ondelete="SET NULL", index=True)
    taxon_id: Optional[int] = Field(default=None, foreign_key="taxa.id")


class Animal(AuditMixin, AnimalFields, table=True):
    __tablename__ = "animals"
    __table_args__ = (
        UniqueConstraint("name", "species", name="uq_animals_name_species"),
        Index("ix_animals_species_sex", "species", "sex"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    species: str = Field(max_length=80, index=True)
    sex: Sex = Field(sa_column_kwargs={"default": Sex.unknown})
    external_id: uuid.UUID = Field(unique=True, sa_column_kwargs={"default": uuid.uuid4})
    photo: Optional[bytes]
    profile: Optional[dict[str, Any]] = Field(sa_type=JSON)

    habitat: Optional["Habitat"] = Relationship(back_populates="animals")
    # Taxon stays a plain SQLAlchemy model (self-referential tree)
    taxon: Optional["Taxon"] = Relationship()
    feedings: list["Feeding"] = Relationship(back_populates="animal", cascade_delete=True, passive_deletes=True, sa_relationship_kwargs={"order_by": "Feeding.id"})
    keepers: list["Keeper"] = Relationship(back_populates="animals", sa_relationship_kwargs={"secondary": animal_keepers, "lazy": "selectin"})
