from django import forms

from .models import Participation
from .services import PARTICIPATION_FIELDS


class ParticipationForm(forms.ModelForm):
    """The readiness record of one provider for one registry; saved by ``participation_save``."""

    class Meta:
        model = Participation
        fields = PARTICIPATION_FIELDS
        widgets = {
            "agreement_signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "pseudonymisation_connected_on": forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            ),
        }
