from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("items", views.Items, basename="item")
router.register("cursor-items", views.CursorItems, basename="cursor-item")

urlpatterns = router.urls + [
    path("chunked_upload/", views.ChunkedUpload.as_view(), name="chunkedupload-list"),
    path("chunked_upload/<uuid:pk>/", views.ChunkedUpload.as_view(), name="chunkedupload-detail"),
    path("chunked_upload/<uuid:pk>/expire/", views.expire),
    path("chunked_upload/<uuid:pk>/content/", views.content),
    path("faults/drop/", views.arm_drop),
]
