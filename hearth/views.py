from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "home.html")


def csrf_failure(request, reason: str = ""):
    """A stale or missing CSRF token: explain without detail (Django's security logger has audited it)."""
    return render(request, "403_csrf.html", status=403)
