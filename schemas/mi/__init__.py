"""Package data of reportkit (read with importlib.resources; see reportkit/paths.py). No code."""
