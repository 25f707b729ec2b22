"""The workflow app's models, one module per feature."""
from .presets import Preset, PresetUse, PresetVersion, fill, variables_in  # noqa: F401
