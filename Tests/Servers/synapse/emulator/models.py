from django.db import models


class Item(models.Model):
    """A row of the long lists that pagination is walked over."""

    name = models.CharField(max_length=50)
