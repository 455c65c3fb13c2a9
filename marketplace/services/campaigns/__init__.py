"""Campaigns and finding people: campaign writes and their status machine (`lifecycle`), and the
creator and campaign directories' search (`discovery`). Must not touch deals or money.
"""
