"""config.urls plus /fault/, a view that raises, so a test can see a 500 in the server's log."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


class DeliberateFault(RuntimeError):
    """Raised by /fault/ for the logging test."""


def fault(request):
    raise DeliberateFault("a deliberate fault for the logging test")


urlpatterns = [path("fault/", fault), *project_urlpatterns]
