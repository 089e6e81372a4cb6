from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import Base
from app.models.hotel import Hotel
from app.models.types import intpk, str_100


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[intpk]
    hotel_id: Mapped[int] = mapped_column(ForeignKey("hotels.id", ondelete="CASCADE"), index=True)
    number: Mapped[str_100]
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    capacity: Mapped[int] = mapped_column(default=2)

    hotel: Mapped[Hotel] = relationship(back_populates="rooms")
