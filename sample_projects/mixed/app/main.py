from fastapi import Depends, FastAPI, HTTPException, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import api_schemas
from app.catalog import Category, CategoryCreate, CategoryOut, Tag, TagOut
from app.db import get_db
from app.inventory import Product, ProductCreate, ProductOut, Warehouse
from app.legacy_schemas import SupplierCreate, SupplierOut
from app.suppliers import Supplier

app = FastAPI(title="Mixed")


@app.post("/categories", response_model=CategoryOut, status_code=status.HTTP_201_CREATED)
def create_category(body: CategoryCreate, db: Session = Depends(get_db)):
    category = Category(**body.model_dump())
    db.add(category)
    db.commit()
    db.refresh(category)
    return category


@app.post("/tags", response_model=TagOut, status_code=status.HTTP_201_CREATED)
def create_tag(label: str, db: Session = Depends(get_db)):
    tag = Tag(label=label)
    db.add(tag)
    db.commit()
    db.refresh(tag)
    return tag


@app.post("/warehouses", response_model=api_schemas.Warehouse, status_code=status.HTTP_201_CREATED)
def create_warehouse(city: str, db: Session = Depends(get_db)):
    warehouse = Warehouse(city=city)
    db.add(warehouse)
    db.commit()
    db.refresh(warehouse)
    return warehouse


@app.post("/products", response_model=ProductOut, status_code=status.HTTP_201_CREATED)
def create_product(body: ProductCreate, db: Session = Depends(get_db)):
    data = body.model_dump(exclude={"tag_ids"})
    product = Product(**data)
    if body.tag_ids:
        product.tags = list(db.scalars(select(Tag).where(Tag.id.in_(body.tag_ids))))
    db.add(product)
    db.commit()
    db.refresh(product)
    return product


@app.get("/products/{product_id}", response_model=ProductOut)
def read_product(product_id: int, db: Session = Depends(get_db)):
    product = db.get(Product, product_id)
    if product is None:
        raise HTTPException(status_code=404, detail="product not found")
    return product


@app.post("/suppliers", response_model=SupplierOut, status_code=status.HTTP_201_CREATED)
def create_supplier(body: SupplierCreate, db: Session = Depends(get_db)):
    supplier = Supplier(**body.dict())
    db.add(supplier)
    db.commit()
    db.refresh(supplier)
    return supplier
