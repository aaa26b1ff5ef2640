"""Identity-provider sessions replayed from the IdPs' public documentation, one whole flow per test."""
