"""Chart header alerts (allergy, safety plan / risk, medical, legal, communication need, other).

Which kinds a person sees and may change follows ``policies.ALERT_SECTIONS``: the header query itself filters by
the kinds the person's sections allow, so a clinical alert never reaches a front-desk page. Adding and resolving
are audited with the client's id and the alert's kind, never its text.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.people.models import Membership
from clients import policies
from clients.alerts.models import SEVERITY_RANK, AlertKind, AlertSeverity, ClientAlert
from clients.events import record_change
from clients.records.models import Client

# What the chart header and the overview show of a current alert.
ALERT_FIELDS = ("client", "kind", "severity", "text", "is_active", "created_at", "created_by__user__full_name")


def visible_alerts(client: Client, sections: frozenset[str], *, active: bool = True) -> list[ClientAlert]:
    """Alerts of the kinds ``sections`` allow, most severe first (one query).

    Every chart page runs this for its header: current alerts join only who added them (an active alert has no
    resolver), and of that person only the name the overview shows, since compiling columns is most of the cost."""
    kinds = policies.visible_alert_kinds(sections)
    if not kinds:
        return []
    alerts = client.alerts.filter(is_active=active, kind__in=kinds).order_by("-created_at", "-pk")
    if active:
        alerts = alerts.select_related("created_by__user").only(*ALERT_FIELDS)
    else:
        alerts = alerts.select_related("created_by__user", "resolved_by__user")
    rows = list(alerts)
    if active:
        rows.sort(key=lambda alert: SEVERITY_RANK.get(alert.severity, 9))
    return rows


@transaction.atomic
def add_alert(client: Client, *, actor: Membership, kind: str, severity: str, text: str, request=None) -> ClientAlert:
    if kind not in AlertKind.values:
        raise ValidationError({"kind": "Choose the kind of alert."})
    if severity not in AlertSeverity.values:
        raise ValidationError({"severity": "Choose how serious it is."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write what staff need to know."})
    alert = ClientAlert(client=client, kind=kind, severity=severity, text=text, created_by=actor)
    alert.full_clean(exclude=["client", "organization", "created_by", "resolved_by"])
    alert.save()
    record_change("client.alert_added", alert, actor=actor, request=request, kind=kind, severity=severity)
    return alert


@transaction.atomic
def resolve_alert(alert: ClientAlert, *, actor: Membership, note: str = "", request=None) -> ClientAlert:
    """Mark an alert no longer current. It leaves the header but stays on file with who resolved it, and when."""
    current = ClientAlert.objects.select_for_update().get(pk=alert.pk)
    if not current.is_active:
        raise ValidationError("This alert was already resolved.")
    current.is_active, current.resolved_at, current.resolved_by = False, timezone.now(), actor
    current.resolution_note = (note or "").strip()[:300]
    current.save(update_fields=["is_active", "resolved_at", "resolved_by", "resolution_note"])
    record_change("client.alert_resolved", current, actor=actor, request=request, kind=current.kind)
    return current
