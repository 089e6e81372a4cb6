from app.models.booking import Booking
from app.models.hotel import Hotel
from app.models.room import Room

__all__ = ["Booking", "Hotel", "Room"]
