"""Demo data for `flask seed` and `make run`: a reproducible marketplace (`seed`), matching
history (`history`), deals in every state through the real services (`deals`), and the text
banks they draw from (`text`). Only the `flask seed` command imports it.
"""
