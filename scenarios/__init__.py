"""mmroute.scenarios"""
