"""Network weights shipped with igo, read through ``importlib.resources`` (package ``igo.weights``).

| file                          | what                                                             |
|-------------------------------|------------------------------------------------------------------|
| ``zero-9x9.safetensors``      | the ``zero`` player's PolicyValueNet (AlphaGo Zero planes, 9x9)  |
| ``zero-9x9.json``             | its NetConfig and versions (``igo.nn.checkpoint`` format)        |

The files come from the AlphaGo Zero pipeline's best model; until they are committed the ``zero``
player refuses to start and says how to get them. This package holds data only, no code.
"""
