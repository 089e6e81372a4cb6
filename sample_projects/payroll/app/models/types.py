from decimal import Decimal

from sqlalchemy import Integer
from sqlalchemy.types import TypeDecorator


class Money(TypeDecorator):
    """Money stored as integer cents, handled as Decimal in Python."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else int(Decimal(value) * 100)

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value) / 100
