"""Exercises that answer back (notebooks 01-07): one registry of exercises, ``check(id, answer)``
returning a :class:`Feedback` value, and the notebooks' exercise sections generated from it."""
