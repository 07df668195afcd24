"""Every model of the console app, for Django's model registry; code imports them from their feature.

Their tables keep the names the tickets app gave them (``tickets_vendor*``) when the console was part of it.
"""

from console.mfa.models import VendorRecoveryCode, VendorTotpKey
from console.signin.models import VendorStaff

__all__ = ["VendorRecoveryCode", "VendorStaff", "VendorTotpKey"]
