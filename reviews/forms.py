"""Forms of the committees' area. They collect input; the rules live in reviews.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import ReviewStatus


class ReviewFilterForm(forms.Form):
    label_suffix = ""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All reviews")), *ReviewStatus.choices],
    )
