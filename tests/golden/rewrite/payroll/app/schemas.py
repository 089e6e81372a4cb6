"""API schemas for every payroll entity."""
from datetime import date
from decimal import Decimal
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from app.models.organisation import HolidayBase, ProjectBase


class ORMSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DepartmentCreate(BaseModel):
    name: str = Field(max_length=80)
    cost_center: Optional[str] = Field(default=None, max_length=20)


class DepartmentOut(ORMSchema):
    id: int
    name: str
    cost_center: Optional[str]


class ProjectCreate(ProjectBase):
    pass


class ProjectOut(ORMSchema):
    id: int
    code: str
    title: str
    description: Optional[str] = None


class HolidayIn(HolidayBase):
    pass


class HolidayOut(ORMSchema):
    id: int
    day: date
    name: str


class EmployeeCreate(BaseModel):
    first_name: str = Field(max_length=50)
    last_name: str = Field(max_length=50)
    kind: Literal["engineer", "manager"]
    salary: Optional[Decimal] = None
    department_id: Optional[int] = None
    stack: Optional[str] = None


class EmployeeOut(ORMSchema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    type: str
    active: bool
    salary: Optional[Decimal] = None
    department_id: Optional[int] = None
    project_codes: list[str] = []


class EngineerOut(EmployeeOut):
    stack: str


class AssignmentCreate(BaseModel):
    employee_id: int
    project_id: int
    role: str = Field(max_length=30)


class TimesheetCreate(BaseModel):
    employee_id: int
    project_id: int
    day: date
    hours: Decimal = Field(max_digits=4, decimal_places=2, gt=0)


class TimesheetOut(ORMSchema):
    id: int
    employee_id: int
    project_id: int
    day: date
    hours: Decimal
