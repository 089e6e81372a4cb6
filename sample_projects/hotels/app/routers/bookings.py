from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.dao.hotels import BookingDAO, RoomDAO
from app.database import get_session
from app.schemas import SBooking, SBookingAdd

router = APIRouter(prefix="/bookings", tags=["bookings"])


@router.post("", response_model=SBooking, status_code=status.HTTP_201_CREATED)
async def add_booking(body: SBookingAdd, session: AsyncSession = Depends(get_session)):
    if await RoomDAO(session).find_one_or_none(id=body.room_id) is None:
        raise HTTPException(status_code=404, detail="room not found")
    return await BookingDAO(session).add(**body.model_dump())


@router.get("", response_model=list[SBooking])
async def list_bookings(session: AsyncSession = Depends(get_session)):
    return await BookingDAO(session).find_all()
