"""The one exception every layer raises to answer with an HTTP error."""

from __future__ import annotations

from typing import Dict, Optional


class ApiError(Exception):
    """Answer the current request with ``status`` and ``message`` (body per settings)."""

    def __init__(self, status: int, message: str, headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
