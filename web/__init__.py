"""FastAPI app: review forms by signed link, HR dashboard, JSON API."""
