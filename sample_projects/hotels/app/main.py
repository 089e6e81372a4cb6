from fastapi import FastAPI

from app.routers import bookings, hotels

app = FastAPI(title="Hotels")
app.include_router(hotels.router)
app.include_router(bookings.router)
