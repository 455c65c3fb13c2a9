"""Telling people: conversations between a brand and a creator, message attachments, in-app
notifications and e-mail. Reacts to deal events; must not change deals or money.
"""
