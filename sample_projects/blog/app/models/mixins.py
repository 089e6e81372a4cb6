from sqlalchemy import Column, DateTime, func


class TimestampMixin:
    """Creation and update times, filled by the database."""

    created_at = Column(DateTime, server_default=func.now(), nullable=False)
    updated_at = Column(DateTime, onupdate=func.now())
