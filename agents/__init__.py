"""mmroute.agents"""
