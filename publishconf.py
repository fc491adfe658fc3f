"""Settings for the published site: absolute URLs and Atom feeds on top of pelicanconf."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("NEWSARCHIVE_SITEURL", "https://archive.example.org")
RELATIVE_URLS = False

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/beat-{slug}.atom.xml"
ENTITY_FEED_ATOM = "feeds/entity-{slug}.atom.xml"
FEED_MAX_ITEMS = 50

DELETE_OUTPUT_DIRECTORY = True
