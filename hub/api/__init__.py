"""hub.api"""
