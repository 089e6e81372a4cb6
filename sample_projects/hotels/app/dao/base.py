from typing import Any, Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.database import Base

ModelT = TypeVar("ModelT", bound=Base)


class BaseDAO(Generic[ModelT]):
    """CRUD helpers shared by every repository."""

    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_all(self, **filters: Any) -> list[ModelT]:
        result = await self.session.execute(select(self.model).filter_by(**filters).order_by(self.model.id))
        return list(result.scalars().all())

    async def find_one_or_none(self, **filters: Any) -> ModelT | None:
        result = await self.session.execute(select(self.model).filter_by(**filters))
        return result.scalars().first()

    async def add(self, **values: Any) -> ModelT:
        obj = self.model(**values)
        self.session.add(obj)
        await self.session.commit()
        await self.session.refresh(obj)
        return obj

    async def delete(self, **filters: Any) -> int:
        result = await self.session.execute(delete(self.model).filter_by(**filters))
        await self.session.commit()
        return result.rowcount
