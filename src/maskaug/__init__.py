"""maskaug: masking-based data generation with masked language models."""

__version__ = "0.1.0"  # before the imports: maskaug.fingerprint reads it

from maskaug.api import augment, augment_file, map_function
from maskaug.augmenter import Augmentation, Augmenter, Report
from maskaug.job import AugmentJob, JobConfig, JobResult
from maskaug.model.loading import DEFAULT_MODEL, MaskedLM, load_mlm

__all__ = ["Augmentation", "AugmentJob", "Augmenter", "DEFAULT_MODEL", "JobConfig", "JobResult", "MaskedLM",
           "Report", "augment", "augment_file", "load_mlm", "map_function", "__version__"]
