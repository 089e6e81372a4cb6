def test_category_with_timestamp(client):
    r = client.post("/categories", json={"name": "Tools"})
    assert r.status_code == 201
    body = r.json()
    assert body["name"] == "Tools" and body["description"] is None and body["created_at"] is not None
    assert client.post("/categories", json={"name": "x" * 51}).status_code == 422


def test_product_with_tags_and_renamed_column(client):
    category = client.post("/categories", json={"name": "Garden"}).json()
    tags = [client.post(f"/tags?label={label}").json()["id"] for label in ("green", "sale")]
    warehouse = client.post("/warehouses?city=Linz").json()
    assert warehouse == {"id": warehouse["id"], "city": "Linz"}
    r = client.post("/products", json={"sku": "ab-12", "name": "Rake", "price": "19.90",
                                       "category_id": category["id"], "warehouse_id": warehouse["id"],
                                       "tag_ids": tags})
    assert r.status_code == 201, r.text
    product = r.json()
    assert product["sku"] == "AB-12" and product["price"] == "19.90"
    assert sorted(t["label"] for t in product["tags"]) == ["green", "sale"]
    assert client.get(f"/products/{product['id']}").json()["sku"] == "AB-12"
    assert client.get("/products/999").status_code == 404
    assert client.post("/products", json={"sku": "x", "name": "y", "price": "1.234"}).status_code == 422


def test_v1_style_supplier(client):
    r = client.post("/suppliers", json={"name": "ACME", "email": "Sales@ACME.example"})
    assert r.status_code == 201 and r.json()["email"] == "sales@acme.example"
    assert client.post("/suppliers", json={"name": "ACME", "email": "nope"}).status_code == 422
