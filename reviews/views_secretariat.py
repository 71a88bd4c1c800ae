"""The secretariat's pages (SSC-DG): the whole pipeline, assigning members, the XLSX overview.

The secretariat runs the process but does not review: these pages show only the pipeline's
metadata (stages, statuses, dates, the advice outcome, who is assigned), never a review's
criteria, judgements, notes or positions.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from register.constants import Role
from register.exceptions import DomainError
from register.forms import ErrorSummaryMixin
from register.roles import has_role

from . import pipeline
from .constants import CommitteeCode, ReviewStatus
from .models import Review

ROWS_PER_PAGE = 25


def secretariat_required(view):
    """Signed in (else to the login page) and in the secretariat role (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, Role.SECRETARIAT):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class PipelineFilterForm(ErrorSummaryMixin, forms.Form):
    label_suffix = ""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Acronym, name or registry holder."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        choices=[("", gettext_lazy("All stages")), *pipeline.PipelineStage.choices],
    )
    committee = forms.ChoiceField(
        label=gettext_lazy("Committee"),
        required=False,
        choices=[("", gettext_lazy("Both committees")), *CommitteeCode.choices],
        help_text=gettext_lazy("Registries whose review by this committee is not concluded."),
    )
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue"), required=False)

    def filters(self) -> dict:
        """The valid filters; a wrong one is left out (and shown as an error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "stage": data.get("stage") or "",
            "committee": data.get("committee") or "",
            "overdue_only": bool(data.get("overdue")),
        }


class MembersAssignForm(ErrorSummaryMixin, forms.Form):
    """The members to assign; the choices are the committee's members without a conflict."""

    label_suffix = ""

    members = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Assigned members"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose members of the committee without a conflict of interest."
            )
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (c.user_id, c.name) for _p, _label, group in candidates for c in group
        ]


@require_GET
@secretariat_required
def secretariat_dashboard(request):
    form = PipelineFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    today = timezone.localdate()
    registries = pipeline.pipeline_registries(**filters, today=today)
    page = Paginator(registries, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/secretariat_dashboard.html",
        {
            "form": form,
            "page_obj": page,
            "rows": pipeline.pipeline_rows(page.object_list, today=today),
            "committees": pipeline.COMMITTEES,
            "counts": pipeline.pipeline_counts(today=today),
            "filtered": any(filters.values()),
            "export_query": query.urlencode(),
            "today": today,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@secretariat_required
def pipeline_export(request):
    """The overview as XLSX ("Overzicht kwaliteitsregistraties"), with the dashboard's filters."""
    form = PipelineFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    today = timezone.localdate()
    content = pipeline.pipeline_workbook(pipeline.pipeline(**filters, today=today))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="overzicht-kwaliteitsregistraties-{today.isoformat()}.xlsx"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
@secretariat_required
def review_assign(request, pk: int):
    try:
        review = pipeline.review_for_secretariat(pk=pk)
    except Review.DoesNotExist:
        raise Http404 from None
    candidates = pipeline.assignment_candidates(review=review)
    status = 200
    if request.method == "POST":
        form = MembersAssignForm(request.POST, candidates=candidates)
        status = 400
        if form.is_valid():
            try:
                pipeline.members_assign(
                    review=review, actor=request.user, member_ids=form.cleaned_data["members"]
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code if not error.field else 400
            else:
                messages.success(
                    request,
                    _("The members of the %(committee)s review of %(acronym)s have been saved.")
                    % {
                        "committee": review.committee.code,
                        "acronym": review.submission.registry.display_acronym,
                    },
                )
                return redirect("reviews:secretariat_dashboard")
        # Show the choice that was refused, not the stored one.
        chosen = {int(v) for v in request.POST.getlist("members") if v.isdigit()}
        for _p, _label, group in candidates:
            for candidate in group:
                candidate.assigned = candidate.user_id in chosen
    else:
        form = MembersAssignForm(candidates=candidates)
    groups = []
    index = 0
    for perspective, label, group in candidates:
        members = []
        for candidate in group:
            members.append({"candidate": candidate, "input_id": f"id_members_{index}"})
            index += 1
        groups.append({"perspective": perspective, "label": label, "members": members})
    return render(
        request,
        "reviews/review_assign.html",
        {
            "review": review,
            "registry": review.submission.registry,
            "submission": review.submission,
            "form": form,
            "groups": groups,
            "concluded": review.status == ReviewStatus.ADVISED,
        },
        status=status,
    )
