"""Opaque secrets (intake keys, API tokens): made here, shown once, stored as their digest.

They are 256-bit random strings, so a fast sha256 suffices (there is no small password space
to search) and checking one is a single indexed lookup of its digest.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["new_secret", "secret_digest"]


def new_secret(prefix: str) -> str:
    """A new secret, ``prefix`` first so a leaked one says what it is (``sbrk_``, ``sbrt_``)."""
    return f"{prefix}{secrets.token_urlsafe(32)}"


def secret_digest(secret: str) -> str:
    """What is stored and looked up instead of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()
