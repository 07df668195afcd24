"""The keys that authenticate sealed blocks: HMAC-SHA256 with a secret that is not in the database.

``settings.HEARTH_AUDIT_KEYS`` comes from ``HEARTH_AUDIT_KEY`` or ``HEARTH_AUDIT_KEY_FILE`` (see hearth/settings.py):
the first key seals new blocks, later ones (one per line) only verify blocks sealed before a rotation. A key's id
is derived from the key itself and stored with each block, so rotating is adding a line, never renaming anything.
"""

import functools
import hashlib
import hmac

from django.conf import settings


def key_id(secret: str) -> str:
    return hashlib.sha256(b"hearth audit key id\x00" + secret.encode("utf-8")).hexdigest()[:16]


def _mac(secret: str, root: str) -> str:
    return hmac.new(secret.encode("utf-8"), root.encode("ascii"), hashlib.sha256).hexdigest()


def sign(root: str) -> tuple[str, str]:
    """``(key id, MAC)`` of a block root under the current key."""
    secret = settings.HEARTH_AUDIT_KEYS[0]
    return key_id(secret), _mac(secret, root)


@functools.lru_cache(maxsize=4)
def _by_id(secrets: tuple[str, ...]) -> dict[str, str]:
    return {key_id(secret): secret for secret in secrets}


def check(block) -> str | None:
    """None when the block's MAC is right; otherwise why not (the tail of a verification message)."""
    secret = _by_id(tuple(settings.HEARTH_AUDIT_KEYS)).get(block.key_id)
    if secret is None:
        return f"was sealed with key {block.key_id}, which is not configured"
    if not hmac.compare_digest(_mac(secret, block.root), block.mac):
        return "has a MAC that does not match its root: rewritten without the key"
    return None
