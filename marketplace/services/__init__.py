"""The only code that changes state. Plain arguments in, domain exceptions out; commits here.
Services never import views, templates or `flask.request`.

    deals/      applications, offers, THE deal state machine, deadlines, drafts, reviews
    payments/   funding, payouts, refunds, Stripe webhooks, the ledger, the Stripe gateway
    messaging/  conversations, attachments, notifications, e-mail
    accounts/   sign-up and credentials, profiles, image uploads
    campaigns/  campaign writes and status, directory search
    matching/   the bridge to the `matching` engine, the outcome log, evaluation
    errors.py   domain exceptions, shared by all
"""
