"""Products, their tags (many-to-many through a Table) and warehouses."""
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

import sqlmodel
from pydantic import BaseModel, Field
from sqlalchemy import Column, ForeignKey, Integer, Numeric, String, Table
from sqlalchemy.orm import Mapped, relationship, validates

from app.common import Timestamped
from app.db import Base, SQLModelBase

if TYPE_CHECKING:
    from app.catalog import Category

product_tags = Table(
    "product_tags",
    Base.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Warehouse(SQLModelBase, table=True):
    __tablename__ = "warehouses"

    id: int | None = sqlmodel.Field(default=None, primary_key=True)
    city: str = sqlmodel.Field(max_length=80)


class Product(Base):
    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    sku = Column("product_code", String(32), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    price = Column(Numeric(10, 2), nullable=False)
    category_id = Column(Integer, ForeignKey("categories.id"), index=True)
    warehouse_id = Column(Integer, ForeignKey("warehouses.id"), index=True)

    category: "Mapped[Category]" = relationship("Category", back_populates="products")
    tags = relationship("Tag", secondary=product_tags, lazy="selectin")

    @validates("sku")
    def normalise_sku(self, key, value):
        return value.upper()


class ProductCreate(BaseModel):
    sku: str = Field(max_length=32)
    name: str = Field(max_length=120)
    price: Decimal = Field(max_digits=10, decimal_places=2)
    category_id: Optional[int] = None
    warehouse_id: Optional[int] = None
    tag_ids: list[int] = []


class ProductOut(Timestamped):
    id: int
    sku: str
    name: str
    price: Decimal
    category_id: Optional[int] = None
    tags: list["TagRef"] = []


class TagRef(BaseModel):
    label: str


ProductOut.model_rebuild()
