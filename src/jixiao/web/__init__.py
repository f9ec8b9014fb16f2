"""The web application (FastAPI, server-rendered Chinese pages): :func:`create_app`."""

from jixiao.web.app import create_app, serve_app

__all__ = ["create_app", "serve_app"]
