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


@app.get("/categories", response_model=list[CategoryOut])
def list_categories(db: Session = Depends(get_db)):
    return db.scalars(select(Category).order_by(Category.name)).all()


@app.get("/products", response_model=list[ProductOut])
def list_products(category_id: int | None = None, db: Session = Depends(get_db)):
    stmt = select(Product).order_by(Product.id)
    if category_id is not None:
        stmt = stmt.where(Product.category_id == category_id)
    return db.scalars(stmt).all()


@app.put("/products/{product_id}", response_model=ProductOut)
def replace_product(product_id: int, body: ProductCreate, db: Session = Depends(get_db)):
    """Full replacement: every field of ProductCreate, tags included."""
    product = read_product(product_id, db)
    for key, value in body.model_dump(exclude={"tag_ids"}).items():
        setattr(product, key, value)
    product.tags = list(db.scalars(select(Tag).where(Tag.id.in_(body.tag_ids)))) if body.tag_ids else []
    db.commit()
    db.refresh(product)
    return product


@app.delete("/products/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_product(product_id: int, db: Session = Depends(get_db)) -> None:
    db.delete(read_product(product_id, db))
    db.commit()


@app.get("/suppliers/{supplier_id}", response_model=SupplierOut)
def read_supplier(supplier_id: int, db: Session = Depends(get_db)):
    supplier = db.get(Supplier, supplier_id)
    if supplier is None:
        raise HTTPException(status_code=404, detail="supplier not found")
    return supplier
