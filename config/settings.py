"""One settings object for every process (CLI, workers, API), from the environment only.

Every setting has a ``SBR_INBOX_`` environment variable (``SBR_INBOX_DATABASE_URL`` and so on,
DESIGN.md section 4a). The defaults are the *embedded* mode a newcomer gets on a fresh machine:
a SQLite file in the working directory and no broker, which means the in-process worker.
Production sets ``SBR_INBOX_DATABASE_URL`` to PostgreSQL and ``SBR_INBOX_BROKER_URL`` to Redis.

Values are validated when the object is made, so a bad setting stops a process at start with a
message naming the variable, instead of failing on the first message hours later.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sbr_parser import DEFAULT_MAX_MESSAGE_BYTES

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Settings of the SBR inbox, one field per ``SBR_INBOX_<FIELD>`` variable."""

    model_config = SettingsConfigDict(env_prefix="SBR_INBOX_", frozen=True, extra="ignore")

    database_url: str = Field(
        default="sqlite:///sbr-inbox.db",
        description="SQLAlchemy URL; default a SQLite file in the working directory.",
    )
    broker_url: str | None = Field(
        default=None,
        description="Celery broker (Redis) URL; unset means the embedded in-process worker.",
    )
    max_message_bytes: int = Field(
        default=DEFAULT_MAX_MESSAGE_BYTES,
        gt=0,
        description="Messages larger than this are rejected as too_large before parsing.",
    )

    # -- the Celery pipeline ------------------------------------------------------------------
    stuck_after_seconds: float = Field(
        default=300,
        gt=0,
        description="The sweeper re-enqueues a received return or unsent effect this old.",
    )
    sweep_interval_seconds: float = Field(
        default=60, gt=0, description="How often beat runs the sweeper."
    )
    visibility_timeout_seconds: int = Field(
        default=3600,
        gt=0,
        description=(
            "Redis redelivers a task not acknowledged within this time. Must exceed the task "
            "time limit; no task is ever scheduled further ahead than this (countdown/eta)."
        ),
    )
    task_time_limit_seconds: int = Field(
        default=300, gt=0, description="A task running longer is killed (hard limit)."
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Signs the review page's session cookies; set it in production (unset: a random "
            "key per process, so sessions end when the API restarts)."
        ),
    )
    flower_basic_auth: str | None = Field(
        default=None,
        description="user:password for Flower (its HTTP API refuses to run without auth).",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_driver(cls, value: str) -> str:
        # Operators copy URLs like postgres://... from their hosting panel; SQLAlchemy needs the
        # dialect and we always use psycopg 3, so name it once here instead of in every caller.
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value.removeprefix(prefix)
        return value

    @field_validator("broker_url")
    @classmethod
    def _empty_broker_means_embedded(cls, value: str | None) -> str | None:
        return value or None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
