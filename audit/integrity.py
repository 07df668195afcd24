"""The checks behind ``manage.py audit_verify``: every chain's links and keyed blocks, how long events have waited
for the sealer, and (given checkpoints exported by the sealer) that the database still holds every block they name.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min
from django.utils import timezone

from audit import checkpoints, keys
from audit.chain import chain_key_for, verify_chain
from audit.models import AuditBlock, AuditEvent, AuditLink
from tenancy.models import Organization


@dataclass
class Findings:
    chains: set[str] = field(default_factory=set)  # the chains that hold anything
    sealed: int = 0  # events whose link and block verified
    blocks: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (chain key, what is wrong)
    unsealed: int = 0
    unsealed_since: dt.datetime | None = None
    checkpoints: int | None = None  # how many were compared, when asked

    def waited_longer_than(self, age: dt.timedelta) -> bool:
        return self.unsealed_since is not None and self.unsealed_since < timezone.now() - age

    def add_unsealed(self, chain_key: str, count: int, since: dt.datetime | None) -> None:
        self.chains.add(chain_key)
        self.unsealed += count
        if since is not None and (self.unsealed_since is None or since < self.unsealed_since):
            self.unsealed_since = since


def verify_log(*, checkpoint_path: str = "") -> Findings:
    """Walk every chain (each clinic's and the system's), then count events not sealed yet.

    Each chain's blocks are queried before its links, so a round the sealer commits meanwhile shows up as links
    not yet in a block (young, so no alert), never as a block without its links.
    """
    findings = Findings()
    organizations = Organization.objects.order_by("pk").values_list("pk", flat=True)
    for chain_key in [chain_key_for(None), *map(chain_key_for, organizations)]:
        blocks = AuditBlock.objects.filter(chain_key=chain_key).order_by("number").iterator(chunk_size=2000)
        links = AuditLink.objects.filter(chain_key=chain_key).select_related("event").order_by("sequence")
        report = verify_chain(chain_key, links.iterator(chunk_size=2000), blocks, keys.check)
        if report.problem is not None:
            findings.problems.append((chain_key, str(report.problem)))
        findings.sealed += report.links - report.unsealed
        findings.blocks += report.blocks
        if report.links or report.problem:
            findings.chains.add(chain_key)
        if report.unsealed:
            findings.add_unsealed(chain_key, report.unsealed, report.unsealed_since)
    waiting = AuditEvent.objects.filter(link__isnull=True).values("chain_key").order_by()
    for chain in waiting.annotate(count=Count("pk"), since=Min("occurred_at")):
        findings.add_unsealed(chain["chain_key"], chain["count"], chain["since"])
    if checkpoint_path:
        findings.checkpoints, problems = checkpoints.compare(checkpoints.read(checkpoint_path))
        findings.problems += [(chain_key, f"{chain_key}: {problem}") for chain_key, problem in problems]
    return findings
