"""A static site generator for fact-checks that trace claims to their primary sources."""

__version__ = "0.1.0"
