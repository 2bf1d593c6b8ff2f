"""mmroute.routing.loading"""
