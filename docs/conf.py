"""Sphinx configuration for ssl_bio's documentation (``tox -e docs``)."""

import ssl_bio

project = "ssl_bio"
author = "the ssl_bio authors"
copyright = "the ssl_bio authors"
release = version = ssl_bio.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.extlinks"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]

# The stdlib's documentation, linked without fetching anything at build time
# (this build runs without network): {stdlib}`SSLContext.wrap_bio` links to
# https://docs.python.org/3/library/ssl.html#ssl.SSLContext.wrap_bio.
extlinks = {
    "stdlib": ("https://docs.python.org/3/library/ssl.html#ssl.%s", "ssl.%s"),
}

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the signatures are the stdlib's; the types are in py.typed
autodoc_default_options = {"members": True, "undoc-members": False}

html_theme = "alabaster"
html_title = "ssl_bio"
