from sqlmodel import Field

from app.db import SQLModelBase


class Supplier(SQLModelBase, table=True):
    __tablename__ = "suppliers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    email: str = Field(max_length=200)
