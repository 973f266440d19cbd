"""One settings object for every process (CLI, workers, API), from the environment only.

Every setting has a ``SBR_INBOX_`` environment variable (``SBR_INBOX_DATABASE_URL`` and so on,
docs/contracts.md). The defaults are the *embedded* mode a newcomer gets on a fresh machine:
a SQLite file in the working directory and no broker, which means the in-process worker.
Production sets ``SBR_INBOX_DATABASE_URL`` to PostgreSQL and ``SBR_INBOX_BROKER_URL`` to Redis.

Values are validated when the object is made, so a bad setting stops a process at start with a
message naming the variable, instead of failing on the first message hours later.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sbr_parser import DEFAULT_MAX_MESSAGE_BYTES

__all__ = ["MIN_SECRET_KEY_CHARS", "Settings", "get_settings", "secret_key_problem"]

#: 32 characters of a random token (``secrets.token_urlsafe(32)`` gives 43).
MIN_SECRET_KEY_CHARS = 32


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
    max_attempts: int = Field(
        default=3,
        ge=1,
        le=100,
        description=(
            "A return whose processing fails this often with an unexpected error is rejected "
            "with reason `internal` (a poison message is never retried forever)."
        ),
    )
    worker_max_memory_mb: int = Field(
        default=1024,
        ge=64,
        description=(
            "A worker child using more than this (resident MB) is replaced after its task: a "
            "backstop, the parser's limits keep real use far lower."
        ),
    )
    secret_key: str | None = Field(
        default=None,
        description=(
            "Signs the review page's session cookies: at least 32 random characters. `serve` "
            "refuses to start without one unless bound to localhost or in development mode "
            "(then a random key per process: sessions end when the API restarts)."
        ),
    )
    dev_mode: bool = Field(
        default=False,
        description="Development: `serve` may run on any address without a strong secret key.",
    )
    cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie only over https; set it when TLS terminates in front.",
    )
    metrics_token: str | None = Field(
        default=None,
        description="Bearer token Prometheus sends to /metrics; unset: /metrics answers 404.",
    )
    api_body_limit_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request body of every endpoint but the intake (JSON and forms).",
    )
    intake_read_timeout_seconds: float = Field(
        default=60,
        gt=0,
        description="A delivery whose body has not fully arrived in this time is refused (408).",
    )
    intake_deliveries_per_minute: int = Field(
        # A vendor's package sends an office's returns in a burst at a deadline (thousands in
        # minutes); the disk is guarded by the byte allowances, this bounds the load per key.
        default=600,
        ge=1,
        description="Deliveries one intake key may make per minute (then 429 with Retry-After).",
    )
    intake_bytes_per_hour: int = Field(
        default=512 * 1024 * 1024,
        ge=1024,
        description=(
            "Bytes one intake key may deliver per hour (at least SBR_INBOX_MAX_MESSAGE_BYTES); "
            "then 429 with Retry-After."
        ),
    )
    intake_bytes_per_day: int = Field(
        default=2 * 1024 * 1024 * 1024,
        ge=1024,
        description="Bytes one intake key may deliver per day (at least the hour's).",
    )
    header_timeout_seconds: float = Field(
        default=10,
        gt=0,
        description=(
            "A connection must send a request's complete headers within this time of opening "
            "(or of its previous response); else `serve` closes it (idle and slowloris "
            "connections cannot fill --max-connections)."
        ),
    )
    max_connections_per_client: int = Field(
        default=20,
        ge=1,
        description=(
            "Connections one client address (an IPv6 /64) may hold open on `serve`; a further "
            "one is answered 503. The proxy named by --forwarded-allow-ips is exempt."
        ),
    )
    flower_basic_auth: str | None = Field(
        default=None,
        description="user:password for Flower; `flower` refuses to start without it.",
    )

    @model_validator(mode="after")
    def _a_message_fits_the_quota(self) -> Settings:
        # A message the hour's or day's quota could never take would be refused for ever,
        # with a Retry-After that lies.
        if not self.max_message_bytes <= self.intake_bytes_per_hour <= self.intake_bytes_per_day:
            raise ValueError(
                "SBR_INBOX_INTAKE_BYTES_PER_HOUR must be at least SBR_INBOX_MAX_MESSAGE_BYTES, "
                "and SBR_INBOX_INTAKE_BYTES_PER_DAY at least the hour's"
            )
        return self

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


def secret_key_problem(key: str | None) -> str | None:
    """Why ``key`` cannot sign sessions safely, or None when it can.

    A short or repetitive key can be found offline from one cookie (the audit cracked
    ``changeme``), after which a session of any staff member of any office can be forged.
    """
    if not key:
        return "SBR_INBOX_SECRET_KEY is not set"
    if len(key) < MIN_SECRET_KEY_CHARS:
        return f"SBR_INBOX_SECRET_KEY has {len(key)} characters; it needs {MIN_SECRET_KEY_CHARS}"
    if len(set(key)) < 12:
        return "SBR_INBOX_SECRET_KEY repeats a few characters; it must be random"
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
