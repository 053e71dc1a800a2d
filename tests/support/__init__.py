"""Helpers the tests share; fixtures stay in the conftest files.

``harness`` the application under test driven through its emulator (``Harness``, ``FakeClock``,
the suite's constants); ``app`` the application itself (``build_app``); ``privacy`` what must never
reach a log (``PERSONAL_VALUES``, ``holds_jose``); ``providers`` applications on the itsme and
OpenID provider emulators; ``configs`` configurations built without a provider; ``steps`` small
steps several test modules take; ``redis_servers``, ``redis_logins``, ``redis_workers`` real Redis
processes, a login seen in Redis, and application worker processes; ``interop`` oidc-provider (npm)
as itsme and as a generic provider.
"""
