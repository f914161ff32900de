"""hub.codec"""
