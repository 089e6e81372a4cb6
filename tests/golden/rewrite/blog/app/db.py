"""Database setup: one engine, one session factory, one declarative base."""
import os

from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlmodel import SQLModel

DATABASE_URL = os.environ.get("BLOG_DATABASE_URL", "sqlite:///./blog.db")

engine = create_engine(DATABASE_URL, connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, autoflush=False)

Base = declarative_base()


class SQLModelBase(SQLModel, registry=Base.registry):
    """SQLModel classes map through Base's registry: one MetaData for every table."""


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
