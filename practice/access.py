"""Who may use the workspace and whose patients they see: practitioners their own, clinic leads everyone."""

import logging
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from clinic.lib.access_audit import access_record
from clinic.lib.roles import CLINIC_LEAD, PRACTITIONERS, user_group_names
from patients.models import Patient

logger = logging.getLogger(__name__)

WORKSPACE_GROUPS = (PRACTITIONERS, CLINIC_LEAD)


def user_is_workspace_member(*, user):
    """True for superusers and members of the Practitioners or Clinic lead groups."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_group_names(user) & set(WORKSPACE_GROUPS))


def user_sees_every_patient(*, user):
    """True for clinic leads and superusers; practitioners see only the patients assigned to them."""
    return user.is_superuser or CLINIC_LEAD in user_group_names(user)


def user_may_see_patient(*, user, patient):
    """True when `patient` is among patients_visible_to(user=`user`)."""
    return user_sees_every_patient(user=user) or (
        patient.practitioner_id is not None and patient.practitioner_id == user.pk
    )


def patients_visible_to(*, user):
    """Return the patients `user` may open in the workspace."""
    patients = Patient.objects.all()
    if user_sees_every_patient(user=user):
        return patients
    return patients.filter(practitioner=user)


def workspace_member_required(view):
    """Send anonymous users to sign in; answer 403 to anyone outside Practitioners and Clinic lead."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_is_workspace_member(user=request.user):
            return render(request, "practice/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def get_visible_patient_or_404(request, patient_ref):
    """Return the patient `patient_ref` if the user may see them; 404 otherwise, logging another's patient."""
    patient = get_object_or_404(Patient.objects.select_related("condition", "practitioner"), patient_ref=patient_ref)
    if not user_may_see_patient(user=request.user, patient=patient):
        # The reference is opaque: it identifies the record without saying anything about the person.
        logger.warning(
            "Workspace access refused: user %s asked for patient %s, who is not theirs (%s %s).",
            request.user.pk,
            patient_ref,
            request.method,
            request.resolver_match.url_name,
        )
        access_record(request, record=patient, refused=True)
        raise Http404("No such patient.")
    access_record(request, record=patient)
    return patient
