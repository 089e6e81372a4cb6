from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.types import Money

if TYPE_CHECKING:
    from app.models.organisation import Department
    from app.models.work import ProjectAssignment


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(50))
    last_name: Mapped[str] = mapped_column(String(50))
    type: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    salary: Mapped[Optional[Decimal]] = mapped_column(Money())
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)

    department: Mapped[Optional["Department"]] = relationship(back_populates="employees")
    assignments: Mapped[list["ProjectAssignment"]] = relationship(back_populates="employee")
    project_codes: AssociationProxy[list[str]] = association_proxy("assignments", "project_code")

    __mapper_args__ = {"polymorphic_on": "type", "polymorphic_identity": "employee"}

    @hybrid_property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Engineer(Employee):
    __tablename__ = "engineers"

    id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    stack: Mapped[str] = mapped_column(String(40))

    __mapper_args__ = {"polymorphic_identity": "engineer"}


class Manager(Employee):
    __tablename__ = "managers"

    id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    reports: Mapped[int] = mapped_column(default=0)

    __mapper_args__ = {"polymorphic_identity": "manager"}
