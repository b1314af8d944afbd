"""Registered generation methods (see ``maskaug methods``)."""

from maskaug.methods import infill as _infill  # noqa: E402,F401 - registers infill.v1
from maskaug.methods.base import Draft, Job, Method
from maskaug.methods.mask_fill import MaskFill
from maskaug.methods.registry import build, entries, from_config, names, register, resolve

__all__ = ["Draft", "Job", "Method", "MaskFill", "build", "entries", "from_config", "names", "register",
           "resolve"]
