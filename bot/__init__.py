"""Co-production Guide: business logic shared by the action server, Rasa extensions and the CLI.

Nothing here imports Rasa at module level except `bot.rasa_ext`, so scoring, parsing,
storage and reports can be tested as plain Python.
"""
