from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.database import get_session
from app.models import Employee, Engineer, Manager, ProjectAssignment, TimesheetEntry
from app.schemas import AssignmentCreate, EmployeeCreate, EmployeeOut, EngineerOut, TimesheetCreate, TimesheetOut

router = APIRouter()


@router.post("/employees", response_model=EmployeeOut, status_code=status.HTTP_201_CREATED)
def create_employee(body: EmployeeCreate, session: Session = Depends(get_session)):
    data = body.model_dump(exclude={"kind", "stack"})
    if body.kind == "engineer":
        if not body.stack:
            raise HTTPException(status_code=422, detail="an engineer needs a stack")
        employee = Engineer(**data, stack=body.stack)
    else:
        employee = Manager(**data)
    session.add(employee)
    session.commit()
    return _loaded(session, employee.id)


def _loaded(session: Session, employee_id: int) -> Employee:
    stmt = select(Employee).options(selectinload(Employee.assignments).selectinload(ProjectAssignment.project))
    employee = session.scalar(stmt.where(Employee.id == employee_id))
    if employee is None:
        raise HTTPException(status_code=404, detail="employee not found")
    return employee


@router.get("/employees/{employee_id}", response_model=EmployeeOut)
def read_employee(employee_id: int, session: Session = Depends(get_session)):
    return _loaded(session, employee_id)


@router.get("/engineers", response_model=list[EngineerOut])
def list_engineers(session: Session = Depends(get_session)):
    stmt = select(Engineer).options(selectinload(Engineer.assignments).selectinload(ProjectAssignment.project))
    return session.scalars(stmt.order_by(Engineer.id)).all()


@router.post("/assignments", status_code=status.HTTP_201_CREATED)
def assign(body: AssignmentCreate, session: Session = Depends(get_session)):
    session.add(ProjectAssignment(**body.model_dump()))
    session.commit()
    return {"employee_id": body.employee_id, "project_id": body.project_id}


@router.post("/timesheets", response_model=TimesheetOut, status_code=status.HTTP_201_CREATED)
def log_time(body: TimesheetCreate, session: Session = Depends(get_session)):
    if session.get(ProjectAssignment, (body.employee_id, body.project_id)) is None:
        raise HTTPException(status_code=404, detail="not assigned to that project")
    entry = TimesheetEntry(**body.model_dump())
    session.add(entry)
    session.commit()
    return entry


@router.get("/employees", response_model=list[EmployeeOut])
def list_employees(active: bool | None = None, session: Session = Depends(get_session)):
    """Every kind of employee; the polymorphic load fills in `type`."""
    stmt = select(Employee).options(selectinload(Employee.assignments).selectinload(ProjectAssignment.project))
    if active is not None:
        stmt = stmt.where(Employee.active == active)
    return session.scalars(stmt.order_by(Employee.id)).all()


@router.post("/employees/{employee_id}/deactivate", response_model=EmployeeOut)
def deactivate_employee(employee_id: int, session: Session = Depends(get_session)):
    employee = _loaded(session, employee_id)
    employee.active = False
    session.commit()
    return employee


@router.delete("/employees/{employee_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_employee(employee_id: int, session: Session = Depends(get_session)) -> None:
    employee = _loaded(session, employee_id)
    for assignment in employee.assignments:
        session.delete(assignment)
    session.delete(employee)
    session.commit()
