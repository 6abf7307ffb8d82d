//! End-to-end scenarios over HTTP against the real server, on SQLite or PostgreSQL (see
//! `iin_tests::backend`).

mod auth;
mod authorization;
mod bad_input;
mod caching;
mod cli;
mod directory;
mod directory_writes;
mod errors;
mod evaluations;
mod health;
mod http_protocol;
mod limits;
mod n_plus_one;
mod operations;
mod pagination;
mod persisted;
mod qualifications;
mod subscriptions;
mod transports;
mod web_clients;
