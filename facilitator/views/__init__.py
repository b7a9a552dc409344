"""Server-rendered pages, one blueprint per audience."""

from . import account, dashboard, participant, projector

blueprints = [account.bp, dashboard.bp, participant.bp, projector.bp]
