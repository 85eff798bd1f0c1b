"""One root for every error the project raises on purpose (cf. rasa/shared/exceptions.py)."""


class CoprodError(Exception):
    """Base class: catch this to handle any expected failure of ours."""


class ConfigError(CoprodError):
    """A setting in the environment is missing or malformed."""


class StorageError(CoprodError):
    """The database could not be reached or refused a write; nothing was half-written."""
