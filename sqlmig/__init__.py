"""sqlmig: move FastAPI + SQLAlchemy + Pydantic projects to SQLModel, safely."""

__version__ = "0.1.0"
