"""mmroute.routing.vrp"""
