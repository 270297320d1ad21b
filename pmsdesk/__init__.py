"""pmsdesk: record, review and report intrathecal treatment visits in progressive MS."""

__version__ = "0.1.0"
