from sqlalchemy import select

from app.dao.base import BaseDAO
from app.models import Booking, Hotel, Room


class HotelDAO(BaseDAO[Hotel]):
    model = Hotel


class RoomDAO(BaseDAO[Room]):
    model = Room

    async def numbers(self, hotel_id: int) -> list[dict]:
        result = await self.session.execute(
            select(Room.id, Room.number).where(Room.hotel_id == hotel_id).order_by(Room.id)
        )
        # planted SQM304: .scalars() keeps only the first column (the ids)
        ids = result.scalars().all()
        rows = (await self.session.execute(
            select(Room.id, Room.number).where(Room.hotel_id == hotel_id).order_by(Room.id))).all()
        return [{"id": i, "number": n} for i, (_, n) in zip(ids, rows)]


class BookingDAO(BaseDAO[Booking]):
    model = Booking
