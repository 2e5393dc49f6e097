"""compress-distill: distill reasoning models with compressed chain-of-thought."""
__version__ = "0.1.0"
