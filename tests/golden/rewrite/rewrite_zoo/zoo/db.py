"""Database setup: engine, session factory and the 2.0-style declarative base."""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlmodel import SQLModel

DATABASE_URL = os.environ.get("ZOO_DATABASE_URL", "sqlite:///./zoo.db")

engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False)


class Base(DeclarativeBase):
    """Every table of the zoo lives in ``Base.metadata``."""


class SQLModelBase(SQLModel, registry=Base.registry):
    """SQLModel classes map through Base's registry: one MetaData for every table."""


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
