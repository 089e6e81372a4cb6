from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base
from app.models.room import Room
from app.models.types import intpk


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[intpk]
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    guest_name: Mapped[str] = mapped_column(String(120))
    check_in: Mapped[date] = mapped_column(Date)
    check_out: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    room: Mapped[Room] = relationship()
