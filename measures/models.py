"""Re-exports the features' models for Django; code imports from the feature."""

from measures.administrations.models import Administration, SafetyFlag
from measures.instruments.models import Instrument, InstrumentSetting
from measures.links.models import MeasureLink, MeasureSchedule

__all__ = ["Administration", "Instrument", "InstrumentSetting", "MeasureLink", "MeasureSchedule", "SafetyFlag"]
