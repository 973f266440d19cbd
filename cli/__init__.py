"""The ``sbr-inbox`` command line (DESIGN.md section 4a): thin commands over the packages."""
