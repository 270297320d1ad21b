"""The pure domain core: vocabularies, field rules, validation and clinical scoring.

Nothing here imports Qt or a database library, so it can be tested without a display
and reused by the command line, the reports and the exchange formats.
"""
