"""LeadDesk: pass leads between people."""

__version__ = "0.1.0"
