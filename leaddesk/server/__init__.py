"""Server mode: per-person PostgreSQL logins, the policies that enforce the rules inside the
database, identity from the connected login, and change notifications."""
