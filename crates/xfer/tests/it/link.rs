//! Linker tests.
