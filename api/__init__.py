"""UIS Call API client package.

Deliberately empty: ``api.simulator`` lives under this package and must stay importable without
pulling in the client (httpx, pydantic models). Import what you need from the sub-modules:
``api.client``, ``api.methods``, ``api.models``, ``api.errors``, ``api.budget``, ``api.phones``,
``api.credentials``, ``api.observer``.
"""
