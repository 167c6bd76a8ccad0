//! Real Amanda (Debian 3.5.1) as the oracle, both ways (reference §9, §10.4):
//! `amrestore` lists and restores volumes we write; volumes Amanda's own taper writes
//! (a Perl script driving `Amanda::Device` and the splitter) are read by our vfs device;
//! the same dump written by both gives identical directories; `Amanda::Header` re-encodes
//! our headers to the same bytes.
//!
//! These tests run the real programs. Without them they fail and say what to install.
//! The Perl scripts skip `Amanda::Debug::dbopen`, so they leave no debug logs in
//! /var/log/amanda and need no write access there.

mod changer; // Amanda's changer on our vtape library; one volume shared by appending in turn
mod header; // Amanda::Header re-encodes our generated headers to the same bytes
mod restore; // amrestore lists and restores the volumes we write
mod support; // running Amanda's programs and Perl scripts; writing volumes both ways
mod taper; // Amanda's own taper: we read, write, name and split its volumes alike
