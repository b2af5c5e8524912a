//! End-to-end tests: the real nu 0.115.1 with the built plugin.

mod errors;
mod nn;
mod plots;
mod seed_session;
mod store;
