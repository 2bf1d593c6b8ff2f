"""mmroute.envs"""
