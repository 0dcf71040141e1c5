"""Pipeline presets shipped with igo, read through ``importlib.resources`` (package
``igo.configs``; see ``igo.train.config_loader.find_preset``).

| file                   | what                                                              |
|------------------------|-------------------------------------------------------------------|
| ``zero-tiny.toml``     | ``igo zero --preset tiny``: a 5x5 smoke run of the Zero loop      |
| ``zero-9x9.toml``      | ``igo zero --preset 9x9``: the run that trains the shipped net    |
| ``zero-19x19.toml``    | ``igo zero --preset 19x19``: the full-board settings              |
| ``alphago-tiny.toml``  | ``igo alphago --preset tiny``: a 7x7 smoke run of the pipeline    |
| ``alphago-9x9.toml``   | ``igo alphago --preset 9x9``: the run behind the shipped player   |

A preset is ``<pipeline>-<name>.toml``; ``--preset`` takes the name or a path to any TOML file.
This package holds data only, no code.
"""
