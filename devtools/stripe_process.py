"""Run the local Stripe (devtools.stripe_server) as a subprocess on a free port."""

from __future__ import annotations

from collections.abc import Callable

from devtools.processes import free_port, start_service

__all__ = ["free_port", "start_stripe_server"]


def start_stripe_server(port: int | None = None, *, webhook_url: str | None = None,
                        webhook_secret: str | None = None,
                        timeout: float = 20.0) -> tuple[str, Callable[[], None]]:
    """Start the server and wait until it answers; returns (base_url, stop)."""
    args = ["--webhook-url", webhook_url, "--webhook-secret", webhook_secret or ""] \
        if webhook_url else []
    return start_service("local Stripe", "devtools.stripe_server", args, port=port,
                         ready_path="/js.stripe.com/v3/", timeout=timeout)
