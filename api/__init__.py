"""UIS Call API client package.

Import what you need from the sub-modules: ``api.client``, ``api.methods``, ``api.models``,
``api.errors``, ``api.budget``, ``api.phones``, ``api.credentials``, ``api.observer``.
"""
