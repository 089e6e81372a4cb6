"""Nightly jobs. Its session factory forgets expire_on_commit=False (planted: SQM305)."""
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.database import engine
from app.models import Booking

job_session = async_sessionmaker(engine)


async def count_bookings(session_factory=job_session) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count(Booking.id))) or 0
