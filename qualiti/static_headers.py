"""Headers of the static files whitenoise serves before any Django middleware runs."""

# A static file opened on its own (an SVG, say) may draw itself and nothing more.
STATIC_FILE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "frame-ancestors 'none'"
)


def static_file_headers(headers: dict, path: str, url: str) -> None:
    headers["Content-Security-Policy"] = STATIC_FILE_POLICY
