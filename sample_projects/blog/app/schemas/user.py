from pydantic import BaseModel, ConfigDict, Field


class UserBase(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    username: str = Field(min_length=3, max_length=50)


class UserCreate(UserBase):
    password: str = Field(min_length=8)


class UserOut(UserBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    is_active: bool


class UserInDB(UserOut):
    """What the auth layer works with. Never a response model (but see /users/{id}/debug)."""

    hashed_password: str
