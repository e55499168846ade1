"""The main window: Lead Management tree, Pass to pane, their models and the target chooser."""
