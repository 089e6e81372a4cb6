from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.models.booking import BookingBase
from app.models.hotel import HotelBase
from app.models.room import RoomBase


class SHotelAdd(HotelBase):
    pass


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


class SRoom(RoomBase):
    model_config = ConfigDict(from_attributes=True)

    capacity: int


class SRoomNumber(BaseModel):
    id: int
    number: str


class SBookingAdd(BookingBase):
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
