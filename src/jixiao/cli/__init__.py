"""The command line (``jixiao``): parse the arguments, call one use case, print the result."""

from jixiao.cli.main import app

__all__ = ["app"]
