//! End-to-end tests: the real nu 0.115.1 with the built plugin.

mod bad_input;
mod concurrency;
mod display;
mod errors;
mod models;
mod native;
mod nn;
mod plots;
mod restart;
mod seed_session;
mod signatures;
mod store;
