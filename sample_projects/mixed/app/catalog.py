"""Categories and tags: models and their schemas side by side."""
from typing import Optional

from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime, Integer, String, func
from sqlalchemy.orm import relationship

from app.common import ORMModel, Timestamped
from app.db import Base


class Category(Base):
    __tablename__ = "categories"

    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False, unique=True)
    description = Column(String(255))
    created_at = Column(DateTime, server_default=func.now())

    products = relationship("Product", back_populates="category")


class Tag(Base):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    label = Column(String(30), nullable=False, unique=True)


class CategoryCreate(BaseModel):
    name: str = Field(max_length=50)
    description: Optional[str] = Field(default=None, max_length=255)


class CategoryOut(Timestamped):
    id: int
    name: str
    description: Optional[str] = None


class TagOut(ORMModel):
    id: int
    label: str
