"""Errors the importer raises for input it cannot read."""


class GazetteFileError(ValueError):
    """The file cannot be imported: empty, binary, wrong encoding, or no recognisable document."""
