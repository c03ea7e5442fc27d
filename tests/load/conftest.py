from tests.load.backends import warehouse

__all__ = ["warehouse"]
