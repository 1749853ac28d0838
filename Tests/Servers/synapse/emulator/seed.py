"""Fixture data, created at every start on a fresh database."""
import os

from django.conf import settings
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from .backend import seed_backend
from .models import Item

ITEM_COUNT = 10_500


def seed():
    user = User.objects.create_user("emulator")
    Token.objects.create(user=user, key=settings.EMULATOR_TOKEN)
    Item.objects.bulk_create(Item(name=f"item {n}") for n in range(1, ITEM_COUNT + 1))
    # Benchmarks walk larger lists than the tests need.
    seed_backend(int(os.environ.get("BINDERY_EMULATOR_TASKS", 230)))
