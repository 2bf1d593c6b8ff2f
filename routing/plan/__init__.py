"""mmroute.routing.plan"""
