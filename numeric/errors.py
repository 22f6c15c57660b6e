"""The two errors the toolkit raises for bad requests.

Every public function validates its input and raises one of these with a message that names the problem
and the fix; the command line turns them into one line on stderr and exit status 2.
"""


class InvalidInputError(ValueError):
    """The input cannot be used as given (wrong length, bad region, all-zero function, ...)."""


class TooLargeError(InvalidInputError, MemoryError):
    """The request would need more memory than the limit; raised before anything large is allocated."""
