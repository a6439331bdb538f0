"""Signals the accounts app sends for the apps above it, which it does not import."""

from __future__ import annotations

from django.dispatch import Signal

# A client accepted an invitation into a therapist's caseload, inside the transaction that
# made their account: a receiver opens the case (sessions/receivers.py), and an error
# there undoes the whole acceptance. Arguments: client, therapist.
client_joined = Signal()
