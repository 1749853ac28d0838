from rest_framework import serializers, viewsets

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
