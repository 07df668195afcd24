"""Re-exports the features' models for Django; code imports from the feature."""

from measures.administrations.models import Administration, SafetyFlag
from measures.instruments.models import Instrument, InstrumentSetting

__all__ = ["Administration", "Instrument", "InstrumentSetting", "SafetyFlag"]
