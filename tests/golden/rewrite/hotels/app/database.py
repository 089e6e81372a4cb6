import os

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlmodel import SQLModel

DATABASE_URL = os.environ.get("HOTELS_DATABASE_URL", "sqlite+aiosqlite:///./hotels.db")

engine = create_async_engine(DATABASE_URL)
async_session_maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class SQLModelBase(SQLModel, registry=Base.registry):
    """SQLModel classes map through Base's registry: one MetaData for every table."""


async def get_session():
    async with async_session_maker() as session:
        yield session
