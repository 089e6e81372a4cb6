from datetime import date
from typing import Optional

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlmodel import Field

from app.models.base import Base, SQLModelBase


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    cost_center: Mapped[str | None] = mapped_column(String(20))

    employees: Mapped[list["Employee"]] = relationship(back_populates="department")
    active_employees: Mapped[list["Employee"]] = relationship(
        primaryjoin="and_(Department.id == Employee.department_id, Employee.active == True)",
        viewonly=True,
    )


class ProjectBase(SQLModelBase):
    """Fields Project shares with ProjectCreate."""

    code: str = Field(max_length=12, unique=True)
    title: str = Field(max_length=120)
    description: Optional[str] = Field(default=None, sa_type=Text)


class Project(ProjectBase, table=True):
    __tablename__ = "projects"

    id: int | None = Field(default=None, primary_key=True)


class HolidayBase(SQLModelBase):
    """Fields Holiday shares with HolidayIn."""

    day: date = Field(unique=True)
    name: str = Field(max_length=60)


class Holiday(HolidayBase, table=True):
    __tablename__ = "holidays"

    id: int | None = Field(default=None, primary_key=True)
