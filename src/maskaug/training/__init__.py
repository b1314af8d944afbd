"""Training-time methods that never write text (Text Smoothing, masked consistency), and learning from unlabelled
text with masked-LM views (UDA, self-training)."""

from maskaug.training.consistency import ConsistencyTrainer, consistency_loss, mask_tokens
from maskaug.training.selftrain import SelfTrainResult, pseudo_labels, self_train
from maskaug.training.smoothing import SmoothingTrainer, TextSmoothing
from maskaug.training.uda import UdaCollator, UdaSettings, UdaTrainer, uda_loss

__all__ = ["TextSmoothing", "SmoothingTrainer", "ConsistencyTrainer", "consistency_loss", "mask_tokens",
           "UdaCollator", "UdaSettings", "UdaTrainer", "uda_loss", "SelfTrainResult", "pseudo_labels", "self_train"]
