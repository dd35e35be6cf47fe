"""reportkit: FCA complaints returns from raw complaint extracts.

The pipeline reads as: load -> validate -> classify -> aggregate -> render -> write manifest.
"""

__version__ = "0.1.0"
