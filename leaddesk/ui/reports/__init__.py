"""The Reports window and the charts it shares with the Pass to pane and ``leaddesk report
--png``: horizontal stacked bars drawn with QPainter (no web engine, no charting package)."""
