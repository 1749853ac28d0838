from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("items", views.Items, basename="item")
router.register("cursor-items", views.CursorItems, basename="cursor-item")

urlpatterns = router.urls
