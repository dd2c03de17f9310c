"""wego-xl: Excel functions, macros and a command line for WeGO membership fees."""

__version__ = "0.2.0"
