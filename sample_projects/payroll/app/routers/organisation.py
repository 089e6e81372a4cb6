from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.database import get_session
from app.models import Department, Holiday, Project
from app.schemas import (DepartmentCreate, DepartmentOut, EmployeeOut, HolidayIn, HolidayOut, ProjectCreate,
                         ProjectOut)

router = APIRouter()


@router.post("/departments", response_model=DepartmentOut, status_code=status.HTTP_201_CREATED)
def create_department(body: DepartmentCreate, session: Session = Depends(get_session)):
    department = Department(**body.model_dump())
    session.add(department)
    try:
        session.commit()
    except IntegrityError:
        raise HTTPException(status_code=409, detail="department exists") from None
    return department


@router.get("/departments", response_model=list[DepartmentOut])
def list_departments(session: Session = Depends(get_session)):
    return session.scalars(select(Department).order_by(Department.id)).all()


@router.get("/departments/{department_id}/active", response_model=list[EmployeeOut])
def active_employees(department_id: int, session: Session = Depends(get_session)):
    department = session.get(Department, department_id)
    if department is None:
        raise HTTPException(status_code=404, detail="department not found")
    return department.active_employees


@router.post("/projects", response_model=ProjectOut, status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectCreate, session: Session = Depends(get_session)):
    project = Project(**body.model_dump())
    session.add(project)
    session.commit()
    return project


@router.get("/projects/{project_id}", response_model=ProjectOut)
def read_project(project_id: int, session: Session = Depends(get_session)):
    project = session.get(Project, project_id)
    if project is None:
        raise HTTPException(status_code=404, detail="project not found")
    return project


@router.post("/holidays", response_model=HolidayOut, status_code=status.HTTP_201_CREATED)
def create_holiday(body: HolidayIn, session: Session = Depends(get_session)):
    holiday = Holiday(**body.model_dump())
    session.add(holiday)
    session.commit()
    return holiday


def _department(session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise HTTPException(status_code=404, detail="department not found")
    return department


@router.put("/departments/{department_id}", response_model=DepartmentOut)
def rename_department(department_id: int, body: DepartmentCreate, session: Session = Depends(get_session)):
    department = _department(session, department_id)
    department.name, department.cost_center = body.name, body.cost_center
    try:
        session.commit()
    except IntegrityError:
        raise HTTPException(status_code=409, detail="department exists") from None
    return department


@router.delete("/departments/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_department(department_id: int, session: Session = Depends(get_session)) -> None:
    department = _department(session, department_id)
    if department.employees:
        # people first: moving them elsewhere is an HR decision, not a cascade
        raise HTTPException(status_code=409, detail="department still has employees")
    session.delete(department)
    session.commit()


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(session: Session = Depends(get_session)):
    return session.scalars(select(Project).order_by(Project.code)).all()


@router.delete("/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_project(project_id: int, session: Session = Depends(get_session)) -> None:
    project = read_project(project_id, session)
    session.delete(project)
    try:
        session.commit()
    except IntegrityError:
        # foreign keys are on: assignments still point at it
        raise HTTPException(status_code=409, detail="project has assignments") from None
