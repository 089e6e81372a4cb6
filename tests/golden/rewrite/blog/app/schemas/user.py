from pydantic import ConfigDict, Field

from app.models.user import UserFields


class UserBase(UserFields):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class UserCreate(UserBase):
    password: str = Field(min_length=8)


class UserOut(UserBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    is_active: bool


class UserInDB(UserOut):
    """What the auth layer works with. Never a response model (but see /users/{id}/debug)."""

    hashed_password: str
