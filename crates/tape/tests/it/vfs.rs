//! vfs tests.
