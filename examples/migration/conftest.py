"""``flask_app`` is the Flask original of the migration guide: it is never collected, since
Flask is not installed (its tests pass under Flask 3.1; ``erlen_app`` runs the same ones)."""

collect_ignore = ["flask_app"]
