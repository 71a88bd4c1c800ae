"""Comparing two versions of a registry's accountability table (/dossiers/<acronym>/versions/compare/).

Registry staff only, for a registry they manage (else 404), like the other dossier views.
The versions are chosen with a GET form; an unknown number is a form error (400), never a 500.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import diff, selectors
from .forms import ErrorSummaryMixin
from .views_dossiers import _registry_or_404, registry_staff_required


class VersionCompareForm(ErrorSummaryMixin, forms.Form):
    old = forms.TypedChoiceField(label=gettext_lazy("Old version"), coerce=int)
    new = forms.TypedChoiceField(label=gettext_lazy("New version"), coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (
                v.number,
                _("Version %(number)s (%(status)s)")
                % {"number": v.number, "status": v.get_status_display()},
            )
            for v in versions
        ]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("old") is not None and data.get("old") == data.get("new"):
            raise forms.ValidationError(_("Choose two different versions."))
        return data


def _earlier(versions, new) -> int | None:
    """The number to compare ``new`` with: the version it is based on, else the one before."""
    based_on = next((v for v in versions if v.pk == new.based_on_id), None)
    if based_on is not None:
        return based_on.number
    return next((v.number for v in versions if v.number < new.number), None)  # newest first


def _requested(query, versions) -> dict | None:
    """The form data: the query, a missing number filled in; without both, the defaults.

    The defaults: the newest version against the one it is based on, else the previous one.
    """
    by_number = {str(v.number): v for v in versions}
    old, new = query.get("old", ""), query.get("new", "")
    if not old and not new and len(versions) < 2:
        return None
    if not new and versions:
        new = str(versions[0].number)
    if not old and new in by_number:
        earlier = _earlier(versions, by_number[new])
        old = "" if earlier is None else str(earlier)
    return {"old": old, "new": new}


@require_GET
@registry_staff_required
def version_diff(request, acronym: str):
    registry = _registry_or_404(request.user, acronym)
    versions = list(selectors.dossier_versions(registry=registry))
    by_number = {v.number: v for v in versions}
    data = _requested(request.GET, versions)
    form = VersionCompareForm(data, versions=versions)
    context = {
        "registry": registry,
        "versions": versions,
        "form": form,
        "current": _("Compare versions"),
    }
    status = 200
    if data is not None and form.is_valid():
        old = by_number[form.cleaned_data["old"]]
        new = by_number[form.cleaned_data["new"]]
        context["diff"] = diff.version_diff(old=old, new=new)
        in_register = diff.register_version(registry=registry)
        if in_register is not None:
            context["register_version"] = in_register
            if in_register.pk != new.pk:
                context["register_growth"] = diff.version_growth(old=in_register, new=new)
    elif data is not None:
        status = 400
    return render(request, "register/version_diff.html", context, status=status)
