"""Email in the window: the background sender, the status widget, outbox and settings dialogs."""
