"""Masked-LM loading, the model call (backend), batching, the fill engine and the built-in model."""
