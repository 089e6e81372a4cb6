"""One MetaData with a naming convention, shared by every model."""
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlmodel import SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


class SQLModelBase(SQLModel, registry=Base.registry):
    """SQLModel classes map through Base's registry: one MetaData for every table."""
