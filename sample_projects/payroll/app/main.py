from fastapi import FastAPI

from app.routers import organisation, people

app = FastAPI(title="Payroll")
app.include_router(organisation.router)
app.include_router(people.router)
