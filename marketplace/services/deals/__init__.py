"""Deals from first contact to review: applications, offers, the deal state machine, deadlines
(auto-approval, expiries, reminders), drafts and the brief checklist, reviews. Moves money only
through `services.payments`; never renders, never reads `flask.request`.

    state_machine.py  THE deal state machine: every state change goes through `perform`
    deadlines.py      time-driven work: auto-approval, expiries, reminders, review reveals
    offers.py / applications.py / reviews.py / files.py / checklist.py
    parties.py        who is acting (brand, creator, admin, system); event_parties.py: who an
                      event is about
"""
