"""Operating the portal beyond one machine: SQLite backup and restore, and the retention purge
of DESIGN §8 (closed cases and raw answers go after a period; the risk rollups stay).

No blueprint and no web pages: operators run these as ``flask --app portal backup``,
``restore`` and ``purge`` (registered in ``portal/cli.py``); ``docs/deploy.md`` explains when.
"""
