"""hub.store"""
