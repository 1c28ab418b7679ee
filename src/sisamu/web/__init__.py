"""Web entry points: FastAPI app, routers, pages, live feed."""
