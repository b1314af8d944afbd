"""Training-time augmentation that never writes text: Text Smoothing and masked consistency."""

from maskaug.training.consistency import ConsistencyTrainer, consistency_loss, mask_tokens
from maskaug.training.smoothing import SmoothingTrainer, TextSmoothing

__all__ = ["TextSmoothing", "SmoothingTrainer", "ConsistencyTrainer", "consistency_loss", "mask_tokens"]
