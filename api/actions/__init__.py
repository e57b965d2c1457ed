"""What a participant can do or read, shared by the commands (``api.cli``) and the HTTP server
(``api.http``, its JSON routes and the portal): one implementation each, pure of typer, rich and
the console, so the server never imports a command (the import-linter contract) and a command is a
thin wrapper that prints what these return."""
