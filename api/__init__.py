"""The HTTP API (FastAPI): intake now; the review endpoints and page come with issue 8."""
