"""Police (公安): case register exports (受案/立案/不予立案/撤案 rows) and filing notices."""
