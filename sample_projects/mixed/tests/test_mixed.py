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


def _product(client, sku, name="Spade", price="12.00", **extra):
    r = client.post("/products", json={"sku": sku, "name": name, "price": price, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def test_list_replace_and_delete_products(client):
    tools = client.post("/categories", json={"name": "Tools", "description": "Hand tools"}).json()
    client.post("/categories", json={"name": "Garden"})
    assert [c["name"] for c in client.get("/categories").json()] == ["Garden", "Tools"]

    spade = _product(client, "sp-1", category_id=tools["id"])
    _product(client, "hoe-2", name="Hoe")
    assert [p["sku"] for p in client.get("/products").json()] == ["SP-1", "HOE-2"]
    assert [p["name"] for p in client.get(f"/products?category_id={tools['id']}").json()] == ["Spade"]

    tag = client.post("/tags?label=steel").json()
    r = client.put(f"/products/{spade['id']}", json={"sku": "sp-1b", "name": "Steel spade", "price": "14.50",
                                                      "tag_ids": [tag["id"]]})
    assert r.status_code == 200
    assert r.json()["sku"] == "SP-1B" and r.json()["price"] == "14.50" and r.json()["category_id"] is None
    assert [t["label"] for t in r.json()["tags"]] == ["steel"]
    assert client.put("/products/999", json={"sku": "a", "name": "b", "price": "1"}).status_code == 404
    assert client.put(f"/products/{spade['id']}", json={"sku": "a"}).status_code == 422

    assert client.delete(f"/products/{spade['id']}").status_code == 204
    assert client.get(f"/products/{spade['id']}").status_code == 404
    assert client.delete(f"/products/{spade['id']}").status_code == 404
    assert [p["sku"] for p in client.get("/products").json()] == ["HOE-2"]


def test_read_supplier(client):
    created = client.post("/suppliers", json={"name": "Bolt & Co", "email": "info@bolt.example"}).json()
    assert client.get(f"/suppliers/{created['id']}").json() == created
    assert client.get("/suppliers/999").status_code == 404
