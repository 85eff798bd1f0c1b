"""rasa-sdk action server: thin adapters from Rasa to `bot`. Importing these modules has no side effects."""
