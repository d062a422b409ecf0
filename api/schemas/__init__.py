"""Request and response models, one module per resource (``...Create`` in, ``...Public`` out)."""
