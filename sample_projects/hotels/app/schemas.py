from datetime import date
from decimal import Decimal
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SHotelAdd(BaseModel):
    name: str = Field(max_length=100)
    city: str = Field(max_length=60)
    stars: Optional[int] = Field(default=None, ge=1, le=5)
    description: Optional[str] = None


class SHotel(SHotelAdd):
    model_config = ConfigDict(from_attributes=True)

    id: int


class SHotelUpdate(BaseModel):
    name: Optional[str] = Field(default=None, max_length=100)
    stars: Optional[int] = Field(default=None, ge=1, le=5)


class SRoomAdd(BaseModel):
    number: str
    price: float = Field(gt=0)
    capacity: int = 2


class SRoom(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hotel_id: int
    number: str
    price: Decimal
    capacity: int


class SRoomNumber(BaseModel):
    id: int
    number: str


class SBookingAdd(BaseModel):
    room_id: int
    guest_name: str = Field(min_length=1, max_length=120)
    check_in: date
    check_out: date

    @model_validator(mode="after")
    def dates_in_order(self):
        if self.check_out <= self.check_in:
            raise ValueError("check_out must be after check_in")
        return self


class SBooking(SBookingAdd):
    model_config = ConfigDict(from_attributes=True)

    id: int


class HotelRead(SHotel):
    """The conventional name, for clients that import it."""

    rooms: list[SRoom] = []
