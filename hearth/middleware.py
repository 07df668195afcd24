from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class PrivacyHeadersMiddleware:
    """Headers Django's own middleware does not set: a Permissions-Policy, and no caching of pages.

    Pages may show PHI, so browsers and shared proxies must not keep copies (static files are served earlier
    by WhiteNoise with their own long-lived caching).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cache-Control", "no-store")
        return response
