"""LeadDesk: pass leads between people."""
