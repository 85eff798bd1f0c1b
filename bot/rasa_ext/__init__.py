"""Extensions loaded by the Rasa server (policy, tracker store, channels).

These modules import Rasa; nothing else in `bot` depends on them.
"""
