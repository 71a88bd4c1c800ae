"""The form of an internal note: it collects the text, reviews.notes has the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from register.forms import ErrorSummaryMixin


class ReviewNoteForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    # Not required here: the service names an empty note, as it names one that is too long.
    text = forms.CharField(
        label=_("New note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only the committee's members see the notes; the registry never does. At most "
            "5,000 characters."
        ),
    )
