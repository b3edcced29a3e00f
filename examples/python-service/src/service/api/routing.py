"""A tiny router: ``/orders/{order_id}`` style patterns matched segment by segment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..common.errors import NotFound, ServiceError

Handler = Callable[..., tuple[int, object]]


class MethodNotAllowed(ServiceError):
    status = 405
    code = "method_not_allowed"


@dataclass(frozen=True)
class Route:
    method: str
    segments: tuple[str, ...]
    handler: Handler

    def match(self, parts: tuple[str, ...]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params = {}
        for pattern, value in zip(self.segments, parts):
            if pattern.startswith("{") and pattern.endswith("}"):
                if not value:
                    return None
                params[pattern[1:-1]] = value
            elif pattern != value:
                return None
        return params


def split_path(path: str) -> tuple[str, ...]:
    trimmed = path.split("?", 1)[0].strip("/")
    return tuple(trimmed.split("/")) if trimmed else ()


class Router:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        segments = split_path(pattern)
        for route in self._routes:
            if route.method == method.upper() and route.segments == segments:
                raise ValueError(f"duplicate route {method} {pattern}")
        self._routes.append(Route(method.upper(), segments, handler))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """Find the handler; a path known under another method is a 405, not a 404."""
        parts = split_path(path)
        allowed = []
        # Literal segments win over parameters: try the most specific routes first.
        for route in sorted(self._routes, key=lambda r: sum(s.startswith("{") for s in r.segments)):
            params = route.match(parts)
            if params is None:
                continue
            if route.method == method.upper():
                return route.handler, params
            allowed.append(route.method)
        if allowed:
            raise MethodNotAllowed(f"{method} not allowed on {path}", allowed=sorted(set(allowed)))
        raise NotFound(f"no route for {path}")
