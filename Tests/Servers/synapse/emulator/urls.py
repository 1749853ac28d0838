from django.urls import path
from rest_framework.routers import SimpleRouter

from . import backend as b
from . import views


def sdk_lists(prefix, name):
    """The SDK's three read-only views of a collection: whole items, ids with data, ids with files."""
    return [
        path(prefix, b.collection(name, creates=False)),
        path(prefix + "data/", b.collection(name, fields=["id", "data"], creates=False)),
        path(prefix + "files/", b.collection(name, fields=["id", "files"], creates=False)),
    ]


router = SimpleRouter()
router.register("items", views.Items, basename="item")
router.register("cursor-items", views.CursorItems, basename="cursor-item")

urlpatterns = router.urls + [
    path("chunked_upload/", views.ChunkedUpload.as_view(), name="chunkedupload-list"),
    path("chunked_upload/<uuid:pk>/", views.ChunkedUpload.as_view(), name="chunkedupload-detail"),
    path("chunked_upload/<uuid:pk>/expire/", views.expire),
    path("chunked_upload/<uuid:pk>/content/", views.content),
    path("faults/drop/", views.arm_drop),
    # Annotation
    path("projects/<int:pk>/", b.detail("projects")),
    path("tasks/", b.CreateTasks.as_view()),
    path("tasks/set_tags/", b.set_tags("tasks")),
    path("tasks/<int:pk>/", b.detail("tasks")),
    path("tasks/<int:pk>/annotate_task_data/", b.AnnotateTaskData.as_view()),
    *sdk_lists("sdk/tasks/", "tasks"),
    path("task_tags/", b.collection("task_tags")),
    path("task_tags/<int:pk>/", b.detail("task_tags")),
    # Data collections
    path("data_collections/", b.collection("data_collections", creates=False)),
    path("data_collections/<int:pk>/", b.DataCollectionDetail.as_view()),
    path("data_files/", b.DataFiles.as_view()),
    path("data_files/verify_checksums/", b.VerifyChecksums.as_view()),
    path("data_units/", b.collection("data_units")),
    path("data_units/<int:pk>/", b.detail("data_units")),
    # Human in the loop
    path("assignments/set_tags/", b.set_tags("assignments")),
    path("assignments/<int:pk>/", b.detail("assignments")),
    *sdk_lists("sdk/assignments/", "assignments"),
    # Integration
    path("agents/", b.collection("agents", creates=False)),
    path("agents/<str:token>/connect/", b.AgentConnect.as_view()),
    path("plugins/", b.collection("plugins")),
    path("plugins/<int:pk>/", b.detail("plugins")),
    path("plugins/<str:plugin>/run/", b.RunPlugin.as_view()),
    path("plugin_releases/", b.PluginReleases.as_view()),
    path("plugin_releases/<str:lookup>/", b.PluginReleaseLookup.as_view()),
    path("jobs/", b.collection("jobs", creates=False)),
    path("jobs/<int:pk>/", b.JobDetail.as_view()),
    path("jobs/<uuid:pk>/", b.JobDetail.as_view()),
    path("jobs/<int:pk>/console_logs/", b.ConsoleLogs.as_view()),
    path("jobs/<int:pk>/tail_console_logs/", b.TailConsoleLogs.as_view()),
    path("logs/", b.collection("logs")),
    path("serve_applications/", b.collection("serve_applications")),
    path("storages/", b.StorageList.as_view()),
    path("storages/<int:pk>/", b.StorageDetail.as_view()),
    # ML
    path("models/", b.collection("models")),
    path("models/<int:pk>/", b.detail("models")),
    *sdk_lists("sdk/ground_truth_events/", "ground_truth_events"),
    path("ground_truths/", b.collection("ground_truths", creates=False)),
    path("ground_truth_dataset_versions/", b.collection("ground_truth_dataset_versions", creates=False)),
    path("ground_truth_dataset_versions/<int:pk>/", b.detail("ground_truth_dataset_versions")),
]
