def test_create_and_read_user(client, user):
    assert user["email"] == "ada@example.com" and user["is_active"] is True
    assert "hashed_password" not in user
    assert client.get(f"/users/{user['id']}").json() == user
    assert client.get("/users/999").status_code == 404


def test_duplicate_email_and_validation(client, user):
    r = client.post("/users", json={"email": "ada@example.com", "username": "ada2", "password": "12345678"})
    assert r.status_code == 409
    r = client.post("/users", json={"email": "not-an-email", "username": "bob", "password": "12345678"})
    assert r.status_code == 422


def test_post_lifecycle(client, user):
    r = client.post(f"/posts?author_id={user['id']}", json={"title": "Hello", "body": "First", "rating": 4.5})
    assert r.status_code == 201
    post = r.json()
    assert post["published"] is True and post["rating"] == "4.50" and post["author_id"] == user["id"]
    r = client.patch(f"/posts/{post['id']}", json={"title": "Hello again", "published": False})
    assert r.status_code == 200 and r.json()["title"] == "Hello again" and r.json()["published"] is False
    assert [p["id"] for p in client.get("/posts?published=false").json()] == [post["id"]]
    assert client.get("/posts?published=true").json() == []
    assert client.delete(f"/posts/{post['id']}").status_code == 204
    assert client.get(f"/posts/{post['id']}").status_code == 404


def test_post_validation_and_missing_author(client, user):
    assert client.post(f"/posts?author_id={user['id']}", json={"body": "no title"}).status_code == 422
    assert client.post("/posts?author_id=42", json={"title": "x"}).status_code == 404


def test_summaries_search_and_comments(client, user):
    for title in ("SQLAlchemy tips", "Pydantic tricks"):
        client.post(f"/posts?author_id={user['id']}", json={"title": title})
    summaries = client.get("/posts/summaries").json()
    assert [(s["title"], s["author_name"]) for s in summaries] == [("SQLAlchemy tips", "ada"), ("Pydantic tricks", "ada")]
    assert [p["title"] for p in client.get("/posts/search?q=Pyd").json()] == ["Pydantic tricks"]
    post_id = summaries[0]["id"]
    r = client.post(f"/posts/{post_id}/comments", json={"content": "Nice", "author_id": user["id"]})
    assert r.status_code == 201 and r.json()["post_id"] == post_id
    assert [c["content"] for c in client.get(f"/posts/{post_id}/comments").json()] == ["Nice"]
    assert client.get("/posts/999/comments").status_code == 404


def test_debug_route_leaks_the_hash(client, user):
    leaked = client.get(f"/users/{user['id']}/debug").json()
    assert len(leaked["hashed_password"]) == 64
