"""Generate a synthetic but realistic project: N modules of models and schemas, mixed styles.

    python bench/generate.py OUT_DIR --files 1000 --seed 1 --blocker-rate 0.1

Half the modules are models (legacy ``Column()`` or 2.0 ``Mapped[]``, chosen per module), half are
schemas paired with them; bases and mixins live in a shared package so every model module resolves
names across modules. A fraction of models carry a blocker (polymorphic mapping, composite key,
hybrid property, association proxy). Every few modules is a router with queries in it.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CORE = '''\
from sqlalchemy import Column, DateTime, Integer, MetaData, func
from sqlalchemy.orm import DeclarativeBase, declarative_base

metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})
LegacyBase = declarative_base(metadata=metadata)


class Base(DeclarativeBase):
    metadata = metadata


class TimestampMixin:
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = Column(DateTime(timezone=True), onupdate=func.now())
'''

LEGACY = '''\
"""Models of area {n}."""
import sqlalchemy as sa
from sqlalchemy.orm import relationship
from sqlalchemy.ext.hybrid import hybrid_property
from proj.core.base import LegacyBase, TimestampMixin


class Owner{n}(TimestampMixin, LegacyBase):
    __tablename__ = "owners_{n}"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String({len}), nullable=False)
    email = sa.Column(sa.String(255), unique=True, index=True)
    balance = sa.Column(sa.Numeric(12, 2), default=0)
    notes = sa.Column(sa.Text)
    items = relationship("Item{n}", back_populates="owner")
{blocker}

class Item{n}(LegacyBase):
    __tablename__ = "items_{n}"
    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(200), nullable=False)
    price = sa.Column(sa.Numeric(10, 2))
    active = sa.Column(sa.Boolean, default=True)
    owner_id = sa.Column(sa.ForeignKey("owners_{n}.id", ondelete="CASCADE"))
    owner = relationship("Owner{n}", back_populates="items")
'''

MAPPED = '''\
"""Models of area {n}."""
from decimal import Decimal
from typing import Optional
from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.ext.hybrid import hybrid_property
from proj.core.base import Base


class Owner{n}(Base):
    __tablename__ = "owners_{n}"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String({len}))
    email: Mapped[Optional[str]] = mapped_column(String(255), unique=True, index=True)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    items: Mapped[list["Item{n}"]] = relationship(back_populates="owner")
{blocker}

class Item{n}(Base):
    __tablename__ = "items_{n}"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    price: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))
    active: Mapped[bool] = mapped_column(default=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners_{n}.id", ondelete="CASCADE"), index=True)
    owner: Mapped["Owner{n}"] = relationship(back_populates="items")
'''

BLOCKERS = [
    '    __mapper_args__ = {{"polymorphic_identity": "owner_{n}"}}\n',
    "    @hybrid_property\n    def label(self):\n        return self.name\n",
    '    code = sa.Column(sa.String(10), primary_key=True)\n',
]

SCHEMAS = '''\
"""Schemas of area {n}."""
from decimal import Decimal
from typing import Optional
from pydantic import BaseModel, ConfigDict, Field, field_validator


class Owner{n}Base(BaseModel):
    name: str = Field(max_length={len})
    email: Optional[str] = None


class Owner{n}Create(Owner{n}Base):
    password: str

    @field_validator("name")
    @classmethod
    def strip(cls, value: str) -> str:
        return value.strip()


class Owner{n}Update(BaseModel):
    name: Optional[str] = None
    notes: Optional[str] = None


class Owner{n}Out(Owner{n}Base):
    model_config = ConfigDict(from_attributes=True)
    id: int
    balance: {money}


class Item{n}Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    price: Optional[Decimal] = None
    owner_id: int
'''

ROUTER = '''\
from fastapi import APIRouter, Depends
from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload
from proj.area{n}.models import Item{n}, Owner{n}
from proj.area{n}.schemas import Item{n}Out, Owner{n}Create, Owner{n}Out

router = APIRouter()


@router.get("/owners", response_model=list[Owner{n}Out])
def list_owners(db: Session = Depends()):
    owners = db.scalars(select(Owner{n})).all()
    for owner in owners:
        print(owner.items)
    return owners


@router.get("/items", response_model=list[Item{n}Out])
def list_items(q: str, db: Session = Depends()):
    rows = db.execute(text(f"SELECT id FROM items_{n} WHERE title = '{{q}}'"))
    return db.scalars(select(Item{n}).options(selectinload(Item{n}.owner))).all()


@router.post("/owners", response_model=Owner{n}Out)
def create_owner(body: Owner{n}Create, db: Session = Depends()):
    owner = Owner{n}(name=body.name, email=body.email)
    db.add(owner)
    db.commit()
    return owner
'''

PLAIN = '''\
"""Helpers without models: the analyzer still reads them."""
import os


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)
'''


def generate(out: Path, files: int, seed: int = 1, blocker_rate: float = 0.1) -> int:
    rng = random.Random(seed)
    (out / "proj/core").mkdir(parents=True, exist_ok=True)
    (out / "proj/__init__.py").write_text("")
    (out / "proj/core/__init__.py").write_text("")
    (out / "proj/core/base.py").write_text(CORE)
    written = 3
    n = 0
    while written < files:
        area = out / f"proj/area{n}"
        area.mkdir(parents=True, exist_ok=True)
        (area / "__init__.py").write_text("")
        style = LEGACY if rng.random() < 0.5 else MAPPED
        blocker = rng.choice(BLOCKERS).format(n=n) if rng.random() < blocker_rate else ""
        if blocker.startswith("    code") and style is MAPPED:
            blocker = '    code: Mapped[str] = mapped_column(String(10), primary_key=True)\n'
        fmt = {"n": n, "len": rng.choice((50, 80, 120)), "blocker": blocker,
               "money": rng.choice(("Decimal", "float"))}
        (area / "models.py").write_text(style.format(**fmt))
        (area / "schemas.py").write_text(SCHEMAS.format(**fmt))
        written += 3
        if written < files:
            (area / "routes.py").write_text(ROUTER.format(**fmt))
            written += 1
        if written < files and rng.random() < 0.3:
            (area / "util.py").write_text(PLAIN)
            written += 1
        n += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--blocker-rate", type=float, default=0.1)
    args = parser.parse_args()
    count = generate(args.out, args.files, args.seed, args.blocker_rate)
    print(f"wrote {count} files to {args.out}")


if __name__ == "__main__":
    main()
