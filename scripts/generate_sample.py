"""Regenerate sample/ (the data the notebooks open with in JupyterLab): python scripts/generate_sample.py"""

from reportkit.paths import SAMPLE_DIR
from reportkit.sample import write_sample

if __name__ == "__main__":
    for name, path in write_sample(SAMPLE_DIR).items():
        print(f"{name}: {path}")
