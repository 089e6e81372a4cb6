import asyncio

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from app import models  # noqa: F401
from app.database import Base, get_session
from app.main import app


@pytest.fixture
def client():
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool)

    async def create():
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)

    factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)

    async def override():
        async with factory() as session:
            yield session

    app.dependency_overrides[get_session] = override
    with TestClient(app) as c:
        c.portal.call(create)
        yield c
    app.dependency_overrides.clear()
    asyncio.run(engine.dispose())
