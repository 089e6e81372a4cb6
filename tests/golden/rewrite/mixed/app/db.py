from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlmodel import SQLModel

engine = create_engine("sqlite:///./mixed.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine)
# the pre-2.0 declarative base: every model here is written with Column()
Base = declarative_base()


class SQLModelBase(SQLModel, registry=Base.registry):
    """SQLModel classes map through Base's registry: one MetaData for every table."""


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
