"""Write an evaluation as ``results.json`` (every raw number and the config), ``report.md`` and a self-contained
``report.html`` meant to be pasted into a paper or a team document.

Both reports come from one list of blocks (``cells``: headings, paragraphs, warnings, tables), written by one class
per report section (``sections``), so the HTML has no Markdown left in it. They name datasets (not paths), the
maskaug version, the MLM, the classifier, n, the test size and the exact command; give every accuracy and every
paired difference with its 95% t interval; warn when there are too few splits for a paired test; show per-class
accuracy, the oracle's own accuracy beside "label kept", example outputs with their edits marked, and figures
(``figures``) with zero-based axes and legends (accuracy per method, gain against size, label flips against gain).
"""

from maskaug.evaluate.report.cells import dataset_name, marked
from maskaug.evaluate.report.figures import figures, plots
from maskaug.evaluate.report.files import RUN_KEYS, read, write
from maskaug.evaluate.report.markdown import markdown
from maskaug.evaluate.report.page import html_page
from maskaug.evaluate.report.sections import blocks

__all__ = ["RUN_KEYS", "blocks", "dataset_name", "figures", "html_page", "markdown", "marked", "plots", "read",
           "write"]
