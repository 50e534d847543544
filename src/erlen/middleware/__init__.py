"""WSGI middleware Flask applications commonly wrap themselves in.

- :class:`~erlen.middleware.proxy_fix.ProxyFix`: trust ``X-Forwarded-*`` headers from a
  known number of reverse proxies.
- :class:`~erlen.middleware.dispatcher.DispatcherMiddleware`: mount several WSGI
  applications under path prefixes.
"""

from __future__ import annotations

from .dispatcher import DispatcherMiddleware as DispatcherMiddleware
from .proxy_fix import ProxyFix as ProxyFix
