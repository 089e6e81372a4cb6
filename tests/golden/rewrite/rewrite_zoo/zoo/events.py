"""Public events (feeding shows, talks). The model and its schemas share this module."""
from datetime import datetime, time, timedelta
from typing import Optional

from pydantic import ConfigDict
from sqlalchemy import DateTime, ForeignKey, String
from sqlmodel import Field, Relationship

from zoo.db import SQLModelBase


class EventFields(SQLModelBase):
    """Fields Event shares with EventBase."""

    title: str = Field(max_length=50, sa_column_kwargs={"comment": "shown on the programme board"})
    starts_at: datetime = Field(sa_type=DateTime(timezone=True))
    doors_open: Optional[time] = None
    seats: int = Field(default=100, ge=1, le=5000)
    habitat_id: Optional[int] = Field(default=None, sa_column_kwargs={"name": "location_id"}, sa_column_args=[ForeignKey("habitats.id", onupdate="CASCADE", ondelete="SET NULL")])
    host: Optional[str] = Field(default=None, sa_type=String(120))


class Event(EventFields, table=True):
    __tablename__ = "events"

    id: Optional[int] = Field(default=None, primary_key=True)
    duration: timedelta = Field(sa_column_kwargs={"default": timedelta(minutes=30)})

    # Ticket is not migrated (hybrid property): a relationship from here to a kept model
    tickets: list["Ticket"] = Relationship(back_populates="event", cascade_delete=True)


class EventBase(EventFields):
    duration: timedelta = timedelta(minutes=30)


class EventCreate(EventBase):
    pass


class EventRead(EventBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
