"""Users and who they are: sign-up and credentials (`users`), creator and brand profiles
(`profiles`), image uploads (`uploads`). Must not touch deals, money or messages.
"""
