"""Domain exceptions: views turn them into a flash message or a 4xx, never a 500."""


class DomainError(Exception):
    """A request that breaks a business rule; the message is safe to show to the user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The user may not do this (wrong role or state)."""

    status_code = 403


class Conflict(DomainError):
    """The change clashes with existing data (taken handle, duplicate application...)."""

    status_code = 409


class InvalidTransition(DomainError):
    """A state change that the state machine does not allow from the current state."""

    status_code = 409
