"""Service-level errors; views and the CLI turn them into responses and messages."""


class ServiceError(Exception):
    """Base class: the message is safe to show to the user."""


class NotFound(ServiceError):
    """The object does not exist or belongs to someone else (never say which)."""


class InvalidInput(ServiceError, ValueError):
    """The request is malformed: the message says which field and why."""


class Conflict(ServiceError):
    """The request clashes with the current state (e.g. a taken username)."""
