"""Moving data in and out: the import and export dialogs."""
