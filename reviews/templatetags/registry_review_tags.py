"""What the registry sees of a review, for templates: ``{{ review|registry_status }}``."""

from django import template

from reviews.workflow import registry_status as _registry_status

register = template.Library()


@register.filter
def registry_status(review):
    """The simple status (with the committee, waiting for you, advice given), a
    RegistryReviewStatus: use ``.label`` to show it, compare with its value."""
    return _registry_status(review)
