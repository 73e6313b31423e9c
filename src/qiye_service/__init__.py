"""qiye-service: an issue tracker for industrial parks' enterprise-service offices."""

__version__ = "0.1.0"
