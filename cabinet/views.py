"""Error pages that need more than a template."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A forged or expired form: say so plainly; nothing was saved."""
    return render(request, "403_csrf.html", status=403)
