"""The Leads to be Assigned tab: bucket model, tab and the assign dialog."""
