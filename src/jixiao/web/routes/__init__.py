"""Routers: ``auth`` (login, logout), ``admin`` (users, units, rule sets, API tokens, audit log);
``pages`` and ``api`` (the unit pages and their JSON twins) are included when present."""
