"""Pelican settings for the newsarchive site. `publishconf.py` builds on these for deployment."""

# No AUTHOR: Pelican would credit it on every article that has no byline.
# An archive's own name and tagline go in site.yaml in its content folder (the sample's
# does); these are for a folder without one.
SITENAME = "News archive"
SITESUBTITLE = "An annotated news archive"
SITEURL = ""

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["newsarchive"]

# Articles: raw `.txt` wire files and Markdown, anywhere under content/ except pages/.
ARTICLE_PATHS = [""]
ARTICLE_EXCLUDES = ["pages"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
# An article without a date stays undated: never fall back to the file's mtime.
DEFAULT_DATE = None

ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
UNDATED_ARTICLE_URL = "undated/{slug}.html"
UNDATED_ARTICLE_SAVE_AS = UNDATED_ARTICLE_URL
PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = PAGE_URL
# Slugs are made unique by the plugin, so two articles are never grouped as translations.
ARTICLE_TRANSLATION_ID = None

YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
CATEGORY_URL = "beat/{slug}.html"
CATEGORY_SAVE_AS = CATEGORY_URL
CATEGORIES_SAVE_AS = "beats.html"
DEFAULT_CATEGORY = "News"
# Folders organise files (by year, say); beats come from the Category metadata.
USE_FOLDER_AS_CATEGORY = False

# No tag or author pages: wire copy rarely has either.
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "archives", "categories"]
PAGINATED_TEMPLATES = {"index": None, "category": None, "period_archives": None}
DEFAULT_PAGINATION = 20
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# Feeds are for the published site (publishconf.py).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

RELATIVE_URLS = True
SUMMARY_MAX_LENGTH = 45

# No inline script, no third-party anything: the site works from its own files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)

# newsarchive settings (see README): sidecar metadata files, progress lines.
NEWSARCHIVE_SIDECAR_EXTENSION = ".meta"
NEWSARCHIVE_PROGRESS_EVERY = 250
NEWSARCHIVE_HOME_PLACES = 12

# Escape everything templates print unless marked safe: titles and metadata are text.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
