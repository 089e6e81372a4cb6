"""Response shapes of the public API. ``Warehouse`` shares its name with the model on purpose."""
from app.common import ORMModel


class Warehouse(ORMModel):
    id: int
    city: str
