"""mmroute.routing"""
