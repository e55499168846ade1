from leaddesk.cli import run

run()
