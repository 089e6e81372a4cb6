import uuid
from datetime import date, datetime
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from zoo.enums import Sex
from zoo.models.animal import AnimalFields
from zoo.models.feeding import FeedingBase
from zoo.schemas.keeper import KeeperOut


class AnimalBase(AnimalFields):
    # the column is String(50); the schema allows 60 (length drift)
    name: str = Field(max_length=60)
    species: str = Field(max_length=80, pattern=r"^[A-Z][a-z]+ [a-z]+$")
    sex: Sex = Sex.unknown
    profile: Optional[dict[str, Any]] = None


class AnimalCreate(AnimalBase):
    keeper_ids: list[int] = []


class AnimalUpdate(BaseModel):
    name: Optional[str] = None
    species: Optional[str] = None
    sex: Optional[Sex] = None
    born_on: Optional[date] = None
    weight_kg: Optional[float] = None
    notes: Optional[str] = None
    tag: Optional[str] = None
    profile: Optional[dict[str, Any]] = None
    habitat_id: Optional[int] = None


class AnimalRead(AnimalBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: uuid.UUID
    created_at: datetime
    keepers: list[KeeperOut] = []


class FeedingCreate(FeedingBase):
    pass


class FeedingOut(FeedingCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    animal_id: int
    fed_at: datetime
