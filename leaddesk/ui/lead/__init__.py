"""The lead window: Details, Notes & History and the Pass Lead tab."""
