"""The ``sbr-inbox`` command line (docs/contracts.md): thin commands over the packages."""
