"""Layer 12: thin command-line entry points; each subcommand parses flags, calls one function.

Nothing imports this package; ``igo.cli.main`` registers the subcommands explicitly.
"""
