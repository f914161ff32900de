"""Procuratorate (检察院): indictments, non-prosecution decisions, opinions and recommendations."""
