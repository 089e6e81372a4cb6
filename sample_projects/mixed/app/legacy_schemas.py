"""Schemas still written against the Pydantic v1 API."""
from pydantic import BaseModel, validator


class SupplierCreate(BaseModel):
    name: str
    email: str

    @validator("email")
    def email_has_at(cls, value):
        if "@" not in value:
            raise ValueError("not an email address")
        return value.lower()


class SupplierOut(SupplierCreate):
    id: int

    class Config:
        orm_mode = True
