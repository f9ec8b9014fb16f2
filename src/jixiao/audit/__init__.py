"""Audit reports written elsewhere: read → normalize → quantities → relations → checks → findings."""
