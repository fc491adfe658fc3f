"""newsarchive: a Pelican plugin that turns raw news files into an annotated archive."""

from .pelican_adapter import register

__all__ = ["register"]
