"""Where to send someone after logging in: only ever to a page of this site."""

from urllib.parse import urlsplit


def safe_next(url: str | None) -> str | None:
    """`url` if it is a local path ("/…", not "//…", no scheme, host or backslash), else None."""
    if not url or not isinstance(url, str):
        return None
    # Browsers ignore tabs and newlines inside URLs and read "\" as "/", so "/\t/evil" or
    # "/\evil" would leave the site; refuse any such character outright.
    if any(char == "\\" or ord(char) < 32 or ord(char) == 127 for char in url):
        return None
    if not url.startswith("/") or url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    return url
