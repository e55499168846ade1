"""Starting the window: launch, sign-in, and the services the main window is built with."""
