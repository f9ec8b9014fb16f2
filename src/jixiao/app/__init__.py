"""The application layer: every use case once (import, entry, reports, audit of an upload, each
page's data), over the library below it. The CLI and the web app are thin shells over this."""
