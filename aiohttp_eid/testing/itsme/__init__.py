"""The itsme emulator (:class:`~aiohttp_eid.testing.ItsmeEmulator`): the OpenID provider
emulator with itsme's profile.

``emulator`` the class and itsme's rules; ``claims`` itsme's claim names and acr values;
``users`` the test users with every piece of data the itsme document describes.
"""
