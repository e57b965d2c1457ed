"""What a participant can do, shared by the commands (``api.cli``) and the HTTP routes (``api.http``):
one module per noun, pure of typer, rich and the console, so no rule is implemented twice. A command
is a thin wrapper that parses its options and prints; a route is one that checks who signed and
answers JSON."""
