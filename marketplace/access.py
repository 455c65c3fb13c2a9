"""Who may see what: role gates for views, owner checks that answer 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.models import Role


def role_required(*roles: Role) -> Callable:
    """Log-in required; a logged-in user of another role gets 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


brand_required = role_required(Role.BRAND)
creator_required = role_required(Role.CREATOR)
admin_required = role_required(Role.ADMIN)
