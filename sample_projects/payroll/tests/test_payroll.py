def _department(client, name="Platform"):
    r = client.post("/departments", json={"name": name, "cost_center": "CC-1"})
    assert r.status_code == 201
    return r.json()


def _engineer(client, department_id, first="Grace", active=True):
    r = client.post("/employees", json={"first_name": first, "last_name": "Hopper", "kind": "engineer",
                                        "salary": "5000.25", "department_id": department_id, "stack": "python"})
    assert r.status_code == 201, r.text
    return r.json()


def test_departments(client):
    dep = _department(client)
    assert dep == {"id": dep["id"], "name": "Platform", "cost_center": "CC-1"}
    assert client.post("/departments", json={"name": "Platform"}).status_code == 409
    assert client.post("/departments", json={"name": "x" * 81}).status_code == 422
    assert [d["name"] for d in client.get("/departments").json()] == ["Platform"]


def test_polymorphic_employees(client):
    dep = _department(client)
    eng = _engineer(client, dep["id"])
    assert eng["type"] == "engineer" and eng["full_name"] == "Grace Hopper" and eng["salary"] == "5000.25"
    r = client.post("/employees", json={"first_name": "Alan", "last_name": "Kay", "kind": "manager"})
    assert r.status_code == 201 and r.json()["type"] == "manager"
    engineers = client.get("/engineers").json()
    assert [(e["first_name"], e["stack"]) for e in engineers] == [("Grace", "python")]
    missing_stack = client.post("/employees", json={"first_name": "A", "last_name": "B", "kind": "engineer"})
    assert missing_stack.status_code == 422
    assert client.get("/employees/999").status_code == 404


def test_active_employees_custom_join(client):
    dep = _department(client)
    eng = _engineer(client, dep["id"])
    assert [e["id"] for e in client.get(f"/departments/{dep['id']}/active").json()] == [eng["id"]]
    assert client.get("/departments/999/active").status_code == 404


def test_assignments_proxy_and_timesheets(client):
    eng = _engineer(client, _department(client)["id"])
    project = client.post("/projects", json={"code": "APOLLO", "title": "Moon"}).json()
    assert client.get(f"/projects/{project['id']}").json()["code"] == "APOLLO"
    r = client.post("/assignments", json={"employee_id": eng["id"], "project_id": project["id"], "role": "lead"})
    assert r.status_code == 201
    assert client.get(f"/employees/{eng['id']}").json()["project_codes"] == ["APOLLO"]
    entry = client.post("/timesheets", json={"employee_id": eng["id"], "project_id": project["id"],
                                             "day": "2026-01-05", "hours": "7.50"})
    assert entry.status_code == 201 and entry.json()["hours"] == "7.50"
    not_assigned = client.post("/timesheets", json={"employee_id": eng["id"], "project_id": 999,
                                                    "day": "2026-01-05", "hours": "1"})
    assert not_assigned.status_code == 404
    assert client.post("/timesheets", json={"employee_id": eng["id"], "project_id": project["id"],
                                            "day": "2026-01-05", "hours": "0"}).status_code == 422


def test_holidays(client):
    r = client.post("/holidays", json={"day": "2026-12-25", "name": "Christmas"})
    assert r.status_code == 201 and r.json()["day"] == "2026-12-25"
    assert client.post("/holidays", json={"day": "not a date", "name": "x"}).status_code == 422


def test_department_update_and_delete(client):
    dep = _department(client)
    r = client.put(f"/departments/{dep['id']}", json={"name": "Infrastructure", "cost_center": None})
    assert r.status_code == 200 and r.json() == {"id": dep["id"], "name": "Infrastructure", "cost_center": None}
    other = _department(client, "Sales")
    assert client.put(f"/departments/{other['id']}", json={"name": "Infrastructure"}).status_code == 409
    assert client.put("/departments/999", json={"name": "Nobody"}).status_code == 404

    eng = _engineer(client, dep["id"])
    assert client.delete(f"/departments/{dep['id']}").status_code == 409
    assert client.delete(f"/employees/{eng['id']}").status_code == 204
    assert client.delete(f"/departments/{dep['id']}").status_code == 204
    assert [d["name"] for d in client.get("/departments").json()] == ["Sales"]
    assert client.delete(f"/departments/{dep['id']}").status_code == 404


def test_deactivation_hides_employee_from_active_join(client):
    dep = _department(client)
    grace = _engineer(client, dep["id"])
    linus = _engineer(client, dep["id"], first="Linus")
    r = client.post(f"/employees/{grace['id']}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False
    assert [e["id"] for e in client.get(f"/departments/{dep['id']}/active").json()] == [linus["id"]]
    assert [e["first_name"] for e in client.get("/employees?active=false").json()] == ["Grace"]
    assert len(client.get("/employees").json()) == 2
    assert client.post("/employees/999/deactivate").status_code == 404


def test_projects_list_and_delete(client):
    eng = _engineer(client, _department(client)["id"])
    for code, title in (("ZEUS", "Storage"), ("APOLLO", "Moon")):
        assert client.post("/projects", json={"code": code, "title": title}).status_code == 201
    projects = client.get("/projects").json()
    assert [p["code"] for p in projects] == ["APOLLO", "ZEUS"]
    apollo, zeus = projects
    client.post("/assignments", json={"employee_id": eng["id"], "project_id": apollo["id"], "role": "dev"})
    assert client.delete(f"/projects/{apollo['id']}").status_code == 409
    assert client.delete(f"/projects/{zeus['id']}").status_code == 204
    assert client.get(f"/projects/{zeus['id']}").status_code == 404
    assert client.delete(f"/projects/{zeus['id']}").status_code == 404
    assert client.post("/projects", json={"code": "X" * 13, "title": "too long"}).status_code == 422
