"""A faithful local stand-in for the OpenAI Images API (both contracts), a process of its own.

The server core (config, rules, painter, multipart, sse, server) is plain Python without
Django; only management/commands/standin.py touches Django.
"""
