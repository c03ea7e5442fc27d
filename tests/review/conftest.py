from tests.fixtures.warehouses import warehouse

__all__ = ["warehouse"]
