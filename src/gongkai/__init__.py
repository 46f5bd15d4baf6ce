"""gongkai: extract, warehouse and validate China's government-information-disclosure annual reports."""

__version__ = "0.1.0"
PARSER_VERSION = "0.1.0"
