"""`make loadtest`: gunicorn and PostgreSQL under load and under a database restart."""
