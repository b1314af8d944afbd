"""Reading and writing rows: formats, streaming readers and writers, JSON-safe values, row checks, errors."""

from maskaug.io.checks import Rejected, is_missing, label_problem, text_problem, validate
from maskaug.io.errors import InputError, OutputError, os_error_line
from maskaug.io.formats import COLUMNAR, FORMATS, detect_format
from maskaug.io.jsonsafe import dumps, jsonable
from maskaug.io.readers import Rows, read_rows
from maskaug.io.writers import file_digest, write_atomically, write_records

__all__ = ["COLUMNAR", "FORMATS", "InputError", "OutputError", "Rejected", "Rows", "detect_format", "dumps",
           "file_digest", "is_missing", "jsonable", "label_problem", "os_error_line", "read_rows", "text_problem",
           "validate", "write_atomically", "write_records"]
