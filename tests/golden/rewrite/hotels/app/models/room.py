from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlmodel import Field, Relationship

from app.database import SQLModelBase
from app.models.hotel import Hotel


class RoomBase(SQLModelBase):
    """Fields Room shares with SRoom."""

    id: int = Field(primary_key=True)
    hotel_id: int = Field(foreign_key="hotels.id", ondelete="CASCADE", index=True)
    number: str = Field(sa_type=String(100))
    price: Decimal = Field(sa_type=Numeric(10, 2))


class Room(RoomBase, table=True):
    __tablename__ = "rooms"

    capacity: int = Field(default=2)

    hotel: "Hotel" = Relationship(back_populates="rooms")
