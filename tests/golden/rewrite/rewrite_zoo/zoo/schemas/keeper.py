from datetime import datetime

from pydantic import ConfigDict, Field

from zoo.models.keeper import KeeperFields


class KeeperBase(KeeperFields):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class KeeperCreate(KeeperBase):
    pass


class KeeperOut(KeeperBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hired_at: datetime
