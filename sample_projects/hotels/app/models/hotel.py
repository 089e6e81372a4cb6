from typing import TYPE_CHECKING, Optional

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base
from app.models.types import intpk, str_100

if TYPE_CHECKING:
    from app.models.room import Room


class Hotel(Base):
    __tablename__ = "hotels"

    id: Mapped[intpk]
    name: Mapped[str_100]
    city: Mapped[str] = mapped_column(String(60), index=True)
    stars: Mapped[int | None]
    description: Mapped[Optional[str]] = mapped_column(Text)

    rooms: Mapped[list["Room"]] = relationship(back_populates="hotel", lazy="selectin", cascade="all, delete-orphan")
