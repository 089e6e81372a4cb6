"""The rewrite's one error type: a one-line message, exit 2, nothing written."""


class RewriteError(Exception):
    pass
