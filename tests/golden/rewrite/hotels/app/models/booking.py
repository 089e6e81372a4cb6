from datetime import date, datetime

from sqlalchemy import DateTime, func
from sqlmodel import Field, Relationship

from app.database import SQLModelBase
from app.models.room import Room


class BookingBase(SQLModelBase):
    """Fields Booking shares with SBookingAdd."""

    room_id: int = Field(foreign_key="rooms.id")
    guest_name: str = Field(min_length=1, max_length=120)
    check_in: date
    check_out: date


class Booking(BookingBase, table=True):
    __tablename__ = "bookings"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), sa_column_kwargs={"server_default": func.now()})

    room: "Room" = Relationship()
