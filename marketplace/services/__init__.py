"""The only code that changes state. Plain arguments in, domain exceptions out; commits here."""
