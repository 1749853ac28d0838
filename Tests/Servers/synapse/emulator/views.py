import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.shortcuts import get_object_or_404
from drf_chunked_upload.exceptions import ChunkedUploadError
from drf_chunked_upload.models import ChunkedUpload as DrfChunkedUpload
from drf_chunked_upload.views import ChunkedUploadView
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .middleware import DROPS
from .middleware import lock as DROPS_LOCK

from .models import Item
from .pagination import CursorEnvelope, DRFPages


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name"]


class Items(viewsets.ReadOnlyModelViewSet):
    """Items with DRF page-number pagination and next links."""

    queryset = Item.objects.order_by("id")
    serializer_class = ItemSerializer
    pagination_class = DRFPages


class CursorItems(Items):
    """Items with cursor pagination in an envelope."""

    pagination_class = CursorEnvelope


class ChunkedUpload(ChunkedUploadView):
    """drf-chunked-upload's view, as the Synapse backend mounts it at `chunked_upload/`.

    One addition: a finalize POST to `chunked_upload/` with only an `md5` completes an empty upload, which is what the
    Synapse SDK sends for an empty file; stock drf-chunked-upload cannot store a file of zero bytes.
    """

    permission_classes = [IsAuthenticated]

    def _post(self, request, pk=None, *args, **kwargs):
        if pk is None and self.field_name not in request.data:
            if request.data.get("md5") != hashlib.md5(b"").hexdigest():
                raise ChunkedUploadError(status=400, detail="checksum does not match")
            upload = self.model.objects.create(user=request.user, filename="empty", offset=0)
            upload.file.save(f"{upload.id}.part", ContentFile(b""), save=True)
            upload.completed()
            return self.on_completion(upload, request)
        return super()._post(request, pk, *args, **kwargs)


@api_view(["POST"])
def expire(request, pk):
    """Ages an upload past its expiry, for the test of an expired upload."""
    upload = get_object_or_404(DrfChunkedUpload, pk=pk)
    DrfChunkedUpload.objects.filter(pk=pk).update(created_at=upload.created_at - timedelta(days=2))
    return Response({"expired": str(pk)})


@api_view(["GET"])
def content(request, pk):
    """The bytes stored for an upload, with their MD5, for tests to compare with what was sent."""
    upload = get_object_or_404(DrfChunkedUpload, pk=pk)
    with open(upload.file.path, "rb") as stored:
        digest = hashlib.md5()
        size = 0
        while block := stored.read(1 << 20):
            digest.update(block)
            size += len(block)
    return Response({"size": size, "md5": digest.hexdigest(), "status": upload.status})


@api_view(["POST"])
def arm_drop(request):
    """Arms a dropped connection: {"match": "PUT /chunked_upload/", "skip": 1, "before": false} (see middleware)."""
    fault = {"match": request.data["match"], "skip": int(request.data.get("skip", 0)),
             "before": bool(request.data.get("before", False))}
    with DROPS_LOCK:
        DROPS.append(fault)
    return Response(fault)
