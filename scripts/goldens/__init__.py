"""Golden cases for nutorch's op catalog, one module per group of ops."""
