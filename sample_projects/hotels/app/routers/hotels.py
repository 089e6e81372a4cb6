from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.dao.hotels import HotelDAO, RoomDAO
from app.database import get_session
from app.models import Hotel
from app.schemas import HotelRead, SHotel, SHotelAdd, SHotelUpdate, SRoom, SRoomAdd, SRoomNumber

router = APIRouter(prefix="/hotels", tags=["hotels"])


@router.post("", response_model=SHotel, status_code=status.HTTP_201_CREATED)
async def add_hotel(body: SHotelAdd, session: AsyncSession = Depends(get_session)) -> Hotel:
    return await HotelDAO(session).add(**body.model_dump())


@router.get("", response_model=list[SHotel])
async def list_hotels(city: str | None = None, session: AsyncSession = Depends(get_session)):
    filters = {"city": city} if city else {}
    return await HotelDAO(session).find_all(**filters)


@router.get("/{hotel_id}", response_model=HotelRead)
async def get_hotel(hotel_id: int, session: AsyncSession = Depends(get_session)):
    hotel = await HotelDAO(session).find_one_or_none(id=hotel_id)
    if hotel is None:
        raise HTTPException(status_code=404, detail="hotel not found")
    return hotel


@router.patch("/{hotel_id}", response_model=SHotel)
async def update_hotel(hotel_id: int, body: SHotelUpdate, session: AsyncSession = Depends(get_session)):
    hotel = await get_hotel(hotel_id, session)
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(hotel, key, value)
    await session.commit()
    return hotel


@router.delete("/{hotel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_hotel(hotel_id: int, session: AsyncSession = Depends(get_session)) -> None:
    if not await HotelDAO(session).delete(id=hotel_id):
        raise HTTPException(status_code=404, detail="hotel not found")


@router.post("/{hotel_id}/rooms", response_model=SRoom, status_code=status.HTTP_201_CREATED)
async def add_room(hotel_id: int, body: SRoomAdd, session: AsyncSession = Depends(get_session)):
    await get_hotel(hotel_id, session)
    return await RoomDAO(session).add(hotel_id=hotel_id, **body.model_dump())


@router.get("/{hotel_id}/rooms/numbers", response_model=list[SRoomNumber])
async def room_numbers(hotel_id: int, session: AsyncSession = Depends(get_session)):
    return await RoomDAO(session).numbers(hotel_id)
