import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
application = get_asgi_application()

from core.uploads import asgi_body_limit  # noqa: E402  (needs the settings module chosen above)

application = asgi_body_limit(application)
