//! End-to-end scenarios over HTTP against the real server, on SQLite or PostgreSQL (see
//! `iin_tests::backend`).

mod auth;
mod authorization;
mod bad_input;
mod caching;
mod cli;
mod consent;
mod directory;
mod directory_writes;
mod errors;
mod evaluations;
mod filters_narrow;
mod health;
mod http_protocol;
mod limits;
mod membership;
mod n_plus_one;
mod operations;
mod pagination;
mod persisted;
mod qualifications;
mod sessions;
mod smes;
mod subscriptions;
mod transports;
mod web_clients;
