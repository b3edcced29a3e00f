"""Shared building blocks: money, errors, validation, time and identifiers."""

from .errors import Conflict, NotFound, ServiceError, ValidationError
from .money import Money

__all__ = ["Conflict", "Money", "NotFound", "ServiceError", "ValidationError"]
