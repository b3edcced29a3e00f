"""HTTP API of the service."""

from .app import Application, create_app

__all__ = ["Application", "create_app"]
