//! Integration tests for reelcheck-nsca.
