from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, ForeignKeyConstraint, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.people import Employee


class ProjectAssignment(Base):
    """Who works on which project: a composite primary key."""

    __tablename__ = "project_assignments"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30))

    employee: Mapped[Employee] = relationship(back_populates="assignments")
    project = relationship("Project")

    @property
    def project_code(self) -> str:
        return self.project.code


class TimesheetEntry(Base):
    __tablename__ = "timesheet_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int]
    project_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 2))

    __table_args__ = (
        ForeignKeyConstraint(
            ["employee_id", "project_id"],
            ["project_assignments.employee_id", "project_assignments.project_id"],
            ondelete="CASCADE",
        ),
    )
