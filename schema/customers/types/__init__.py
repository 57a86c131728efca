"""Customers object types, one module per feature: customers.py (``Customer`` and its 360 fields),
profile.py (the 360 blocks), ownership.py, tiering.py, grids.py, groups.py, consents.py,
prospects.py, reminders.py."""
