"""screener: rule-based UN sanctions screening of trade transactions."""

__version__ = "0.1.0"

from .errors import InputFileError, RulePackError, ScreenerError
from .loader import RulePack, load_rules
from .report import Finding, Report, Result, RowError
from .screener import Screener
from .transaction import Transaction

__all__ = ["Finding", "InputFileError", "Report", "Result", "RowError", "RulePack",
           "RulePackError", "Screener", "ScreenerError", "Transaction", "__version__",
           "load_rules"]
