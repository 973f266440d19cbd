"""Process-wide settings, read once from ``SBR_INBOX_*`` environment variables."""

from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
