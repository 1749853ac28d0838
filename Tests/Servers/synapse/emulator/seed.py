"""Fixture data, created at every start on a fresh database."""
from .models import Item

ITEM_COUNT = 10_500


def seed():
    Item.objects.bulk_create(Item(name=f"item {n}") for n in range(1, ITEM_COUNT + 1))
