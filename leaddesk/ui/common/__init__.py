"""What every window shares: tasks, context, feedback, icons, settings, tree items, view state."""
