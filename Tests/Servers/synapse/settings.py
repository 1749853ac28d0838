"""Django settings of the Synapse backend emulator (Django REST framework + drf-chunked-upload)."""
import os

SECRET_KEY = "bindery-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Behind a TLS front (Benchmarks/run https), the links the emulator writes say https and the front's port.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_chunked_upload",
    "emulator",
]
MIDDLEWARE = ["emulator.middleware.RecordRequests"]
ROOT_URLCONF = "emulator.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["BINDERY_DB"]}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_AUTHENTICATION_CLASSES": ["emulator.auth.SynapseAccessToken"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
}
DRF_CHUNKED_UPLOAD_ABSTRACT_MODEL = False
MEDIA_ROOT = os.path.join(os.path.dirname(os.environ["BINDERY_DB"]), "media")
# The emulator's user and the token it is reached with (Synapse-Access-Token: Token <key>).
EMULATOR_TOKEN = "emulator-access-token"
