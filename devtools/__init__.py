"""Development helpers (local SMTP server...). The app never imports this package."""
