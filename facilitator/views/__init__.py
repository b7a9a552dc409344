"""Server-rendered pages, one blueprint per audience."""

from . import account, admin, api, counts, dashboard, exports, participant, phone_votes, privacy, projector, timer, votes

blueprints = [
    api.bp, exports.bp, account.bp, admin.bp, counts.bp, dashboard.bp, participant.bp, phone_votes.bp,
    privacy.bp, projector.bp, timer.bp, votes.bp,
]
