def _hotel(client, name="Grand", city="Vienna", stars=5):
    r = client.post("/hotels", json={"name": name, "city": city, "stars": stars})
    assert r.status_code == 201, r.text
    return r.json()


def test_hotel_crud(client):
    hotel = _hotel(client)
    assert hotel == {"id": hotel["id"], "name": "Grand", "city": "Vienna", "stars": 5, "description": None}
    _hotel(client, "Budget", "Graz", 2)
    assert [h["name"] for h in client.get("/hotels?city=Graz").json()] == ["Budget"]
    r = client.patch(f"/hotels/{hotel['id']}", json={"stars": 4})
    assert r.status_code == 200 and r.json()["stars"] == 4
    assert client.delete(f"/hotels/{hotel['id']}").status_code == 204
    assert client.get(f"/hotels/{hotel['id']}").status_code == 404
    assert client.delete(f"/hotels/{hotel['id']}").status_code == 404


def test_validation(client):
    assert client.post("/hotels", json={"name": "x", "city": "y", "stars": 6}).status_code == 422
    assert client.post("/hotels", json={"name": "x" * 101, "city": "y"}).status_code == 422


def test_rooms_and_numbers(client):
    hotel = _hotel(client)
    room = client.post(f"/hotels/{hotel['id']}/rooms", json={"number": "101", "price": 99.5}).json()
    assert room["price"] == "99.50" and room["capacity"] == 2
    client.post(f"/hotels/{hotel['id']}/rooms", json={"number": "102", "price": 120, "capacity": 3})
    detail = client.get(f"/hotels/{hotel['id']}").json()
    assert [r["number"] for r in detail["rooms"]] == ["101", "102"]
    numbers = client.get(f"/hotels/{hotel['id']}/rooms/numbers").json()
    assert [n["number"] for n in numbers] == ["101", "102"]
    assert client.post("/hotels/999/rooms", json={"number": "1", "price": 1}).status_code == 404


def test_bookings(client):
    hotel = _hotel(client)
    room = client.post(f"/hotels/{hotel['id']}/rooms", json={"number": "7", "price": 80}).json()
    body = {"room_id": room["id"], "guest_name": "Ada", "check_in": "2026-05-01", "check_out": "2026-05-03"}
    r = client.post("/bookings", json=body)
    assert r.status_code == 201 and r.json()["guest_name"] == "Ada"
    assert [b["id"] for b in client.get("/bookings").json()] == [r.json()["id"]]
    assert client.post("/bookings", json={**body, "check_out": "2026-04-01"}).status_code == 422
    assert client.post("/bookings", json={**body, "room_id": 999}).status_code == 404
