"""The shapes studio/settings.py builds its larger settings from: plain functions of values it read.

settings.py stays the one place that reads the environment; these build dictionaries from what it passes.
"""
