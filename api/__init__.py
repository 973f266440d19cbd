"""The HTTP side (FastAPI): message intake, the staff review API and page, metrics."""
