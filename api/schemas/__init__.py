"""Request and response models, one module per resource (``...Create`` in, ``...Public`` out).

A write's request model is made from its command (``command_request.CommandRequest``)."""
