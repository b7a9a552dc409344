"""Server-rendered pages, one blueprint per audience."""

from . import account, admin, dashboard, participant, privacy, projector

blueprints = [account.bp, admin.bp, dashboard.bp, participant.bp, privacy.bp, projector.bp]
