"""The message form; the service does the real checks so the rules live in one place."""

import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, TextAreaField

from marketplace.models.message import MAX_BODY


class MessageForm(FlaskForm):
    body = TextAreaField("Message", render_kw={"rows": 3, "maxlength": MAX_BODY,
                                               "placeholder": "Write a message…"})
    attachment = FileField("Attachment", description="PNG, JPEG, WebP or PDF, up to 10 MB.",
                           render_kw={"accept": "image/png,image/jpeg,image/webp,application/pdf"})
    # A fresh token per rendered form: a double click posts it twice, the database keeps one.
    client_token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.client_token.data:
            self.client_token.data = str(uuid.uuid4())
