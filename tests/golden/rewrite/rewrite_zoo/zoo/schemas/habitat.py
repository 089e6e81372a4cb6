from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from zoo.enums import Climate
from zoo.models.habitat import HabitatFields


class HabitatBase(HabitatFields):
    climate: Climate = Climate.temperate
    # the column is Numeric(12, 4); the API has always used plain floats
    area: float = Field(gt=0)
    code: Optional[str] = Field(default=None, max_length=20, pattern=r"^[A-Z]{2}-\d{2,4}$")


class HabitatCreate(HabitatBase):
    pass


class HabitatUpdate(BaseModel):
    name: Optional[str] = Field(default=None, min_length=2, max_length=50)
    climate: Optional[Climate] = None
    area: Optional[float] = None
    description: Optional[str] = None
    is_open: Optional[bool] = None
    code: Optional[str] = None


class HabitatOut(HabitatBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    capacity: int
    created_at: datetime
