"""CSV import and export of leads, users and pass history. Qt-free; functions take a Session."""
