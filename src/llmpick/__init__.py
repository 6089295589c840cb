"""llmpick: choose the large language model a product runs on."""

__version__ = "0.1.0"
