"""The domain: the catalog of codes, the record a staff member's facts add up to, the named errors,
and the checks a command makes before it records anything. No I/O, no clock."""
