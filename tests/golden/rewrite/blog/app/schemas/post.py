from decimal import Decimal
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from app.models.post import PostFields


class PostBase(PostFields):
    pass


class PostCreate(PostBase):
    published: bool = True
    rating: Optional[float] = None


class PostUpdate(BaseModel):
    title: Optional[str] = None
    body: Optional[str] = None
    published: Optional[bool] = None
    rating: Optional[Decimal] = None


class PostOut(PostBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str = Field(max_length=300)
    published: bool
    rating: Optional[Decimal] = None
    author_id: int


class PostSummary(BaseModel):
    id: int
    title: str
    author_name: str
