"""A faithful local stand-in for the OpenAI Images API (both contracts), a process of its own.

The server core (every module here except apps.py and management/) is plain Python without
Django; only those two touch Django.
"""
