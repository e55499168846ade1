"""The administration window: people, places, statuses, the audit log and offboarding."""
