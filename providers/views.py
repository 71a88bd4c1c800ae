"""The provider area: obligations and readiness of the provider(s) the user acts for."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from register.constants import Role
from register.exceptions import DomainError
from register.exceptions import PermissionDenied as DomainPermissionDenied
from register.models import Registry
from register.roles import has_role

from .forms import ParticipationForm
from .models import Participation, Provider
from .selectors import participation_records, provider_obligations, providers_for_user
from .services import participation_save


def provider_role_required(view):
    """Anonymous users go to the sign-in page; signed-in users without the provider role get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, Role.PROVIDER):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _provider_or_404(request, agb: str) -> Provider:
    # Only the user's own providers are found: another provider's AGB code is a 404.
    return get_object_or_404(providers_for_user(request.user), agb_code=agb)


def _overview(provider: Provider) -> dict:
    """Obligations in force today and later, each with its readiness record. Fixed queries."""
    today = timezone.localdate()
    found = provider_obligations(provider=provider, on=today)
    records = list(participation_records(provider=provider))
    by_registry = {record.registry_id: record for record in records}
    obligated = {o.registry.pk for o in found.current} | {o.registry.pk for o in found.upcoming}
    return {
        "provider": provider,
        "today": today,
        "current": [(o, by_registry.get(o.registry.pk)) for o in found.current],
        "upcoming": [(o, by_registry.get(o.registry.pk)) for o in found.upcoming],
        "other_records": [r for r in records if r.registry_id not in obligated],
    }


@require_safe
@provider_role_required
def dashboard(request):
    providers = list(providers_for_user(request.user))
    if len(providers) == 1:
        return render(
            request, "providers/provider_detail.html", {**_overview(providers[0]), "single": True}
        )
    return render(request, "providers/dashboard.html", {"providers": providers})


@require_safe
@provider_role_required
def provider_detail(request, agb):
    provider = _provider_or_404(request, agb)
    return render(request, "providers/provider_detail.html", _overview(provider))


@require_safe
@provider_role_required
def obligation_detail(request, agb, acronym):
    """The variables one registry asks of this provider, base or plus per its categories."""
    provider = _provider_or_404(request, agb)
    overview = _overview(provider)
    match = next(
        (
            (obligation, record, upcoming)
            for rows, upcoming in ((overview["current"], False), (overview["upcoming"], True))
            for obligation, record in rows
            if obligation.registry.acronym == acronym
        ),
        None,
    )
    if match is None:
        raise Http404(_("This provider has no obligation for this registry."))
    obligation, record, upcoming = match
    categories = list(provider.categories.all())
    rows = [
        (variable, [variable.sets.get(category.code, "") for category in categories])
        for variable in obligation.variables
    ]
    return render(
        request,
        "providers/obligation_detail.html",
        {
            "provider": provider,
            "obligation": obligation,
            "participation": record,
            "upcoming": upcoming,
            "categories": categories,
            "rows": rows,
            "today": overview["today"],
        },
    )


@require_http_methods(["GET", "POST"])
@provider_role_required
def participation_edit(request, agb, acronym):
    provider = _provider_or_404(request, agb)
    registry = get_object_or_404(Registry, acronym=acronym)
    instance = Participation.objects.filter(provider=provider, registry=registry).first()
    if instance is None:
        instance = Participation(provider=provider, registry=registry)
    form = ParticipationForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            participation_save(
                provider=provider, registry=registry, actor=request.user, data=form.cleaned_data
            )
        except DomainPermissionDenied:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The readiness record for %(registry)s was saved.")
                % {"registry": registry.display_acronym},
            )
            return redirect("provider:provider_detail", agb=provider.agb_code)
    return render(
        request,
        "providers/participation_form.html",
        {"provider": provider, "registry": registry, "form": form},
    )
