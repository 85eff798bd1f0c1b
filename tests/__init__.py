"""The test suite (a regular package, so `tests.integration` is ours, not a `tests` package some wheel ships)."""
