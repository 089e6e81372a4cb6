from typing import TYPE_CHECKING, Optional

from sqlalchemy import Text
from sqlmodel import Field, Relationship

from app.database import SQLModelBase

if TYPE_CHECKING:
    from app.models.room import Room


class HotelBase(SQLModelBase):
    """Fields Hotel shares with SHotelAdd."""

    name: str = Field(max_length=100)
    city: str = Field(max_length=60, index=True)
    stars: Optional[int] = Field(default=None, ge=1, le=5)
    description: Optional[str] = Field(default=None, sa_type=Text)


class Hotel(HotelBase, table=True):
    __tablename__ = "hotels"

    id: int | None = Field(default=None, primary_key=True)

    rooms: list["Room"] = Relationship(back_populates="hotel", cascade_delete=True, sa_relationship_kwargs={"lazy": "selectin"})
