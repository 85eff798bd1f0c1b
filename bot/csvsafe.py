"""CSV output shared by the export command and the report."""
from __future__ import annotations


def csv_safe(value):
    """Stop spreadsheet formula injection from free text ("=HYPERLINK(...)")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
