"""The CLI's commands, one module per group; screener/cli.py parses and dispatches."""
