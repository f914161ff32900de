"""hub.shell"""
