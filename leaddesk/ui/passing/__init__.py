"""Passing from the window: the drag payload, the pass and undo flows, the note field."""
