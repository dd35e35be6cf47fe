"""Regenerate sample/ (the data the notebooks open with in JupyterLab): python scripts/generate_sample.py"""

from reportkit.demo import write_sample_mi, write_sample_run
from reportkit.paths import SAMPLE_DIR, SAMPLE_MI_DIR, SAMPLE_RUN_DIR
from reportkit.sample import write_sample

if __name__ == "__main__":
    sample = write_sample(SAMPLE_DIR)
    for name, path in sample.items():
        print(f"{name}: {path}")
    print(f"sample run: {write_sample_run(sample, SAMPLE_RUN_DIR)}")
    print(f"sample MI: {write_sample_mi(sample, SAMPLE_MI_DIR)}")
