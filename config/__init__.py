"""Process-wide settings, read once from ``SBR_INBOX_*`` environment variables."""

from config.settings import Settings, get_settings, secret_key_problem

__all__ = ["Settings", "get_settings", "secret_key_problem"]
