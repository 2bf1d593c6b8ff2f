"""mmroute: plan and re-plan freight through multimodal networks."""
__version__ = "0.1.0"
