"""Storefront service: catalog, stock, orders and payments behind a small WSGI API.

The package re-exports the pieces most callers need so that ``import service`` is enough
for scripts and the interactive shell.
"""

from . import config
from .common.money import Money

__version__ = "1.4.0"

__all__ = ["Money", "config", "__version__"]
