from app.models.base import Base
from app.models.organisation import Department, Holiday, Project
from app.models.people import Employee, Engineer, Manager
from app.models.work import ProjectAssignment, TimesheetEntry

__all__ = ["Base", "Department", "Employee", "Engineer", "Holiday", "Manager", "Project", "ProjectAssignment",
           "TimesheetEntry"]
