import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine(os.environ.get("PAYROLL_DATABASE_URL", "sqlite:///./payroll.db"))
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)


def get_session():
    with SessionLocal() as session:
        yield session


__all__ = ["Session", "SessionLocal", "engine", "get_session"]
