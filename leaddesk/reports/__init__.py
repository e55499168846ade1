"""Reports: workload (open leads per user by status), passes per manager per week, and how
long leads waited in each bucket. Qt-free read queries; the window and ``leaddesk report``
both show them, and each becomes a table (CSV) and a chart (PNG) the same way."""
