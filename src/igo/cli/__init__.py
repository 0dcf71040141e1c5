"""Thin command-line entry points: each subcommand parses its flags and calls one library function.

Nothing imports this package; ``igo.cli.main`` registers the subcommands explicitly.
"""
