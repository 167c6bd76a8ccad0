//! Simulated drive tests.
