"""The command line: the only part of cspace that knows Typer."""
