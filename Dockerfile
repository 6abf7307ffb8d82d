# The API as a small image: build with the Rust toolchain, run on plain Debian as a non-root user.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, in a layer of their own: an edit to our code does not rebuild them. The
# workspace's manifests with stub sources are enough for cargo to build every dependency.
COPY Cargo.toml Cargo.lock ./
COPY api/Cargo.toml api/
COPY entity/Cargo.toml entity/
COPY migration/Cargo.toml migration/
RUN mkdir -p api/src entity/src migration/src tests/support tests/api \
    && echo 'fn main() {}' > api/src/main.rs \
    && touch api/src/lib.rs entity/src/lib.rs migration/src/lib.rs tests/support/lib.rs tests/api/main.rs \
    && cargo build --release --locked -p iin-api \
    && rm -rf api/src entity/src migration/src
COPY . .
# Touch our sources so that cargo rebuilds them rather than trusting the stubs' timestamps.
RUN touch api/src/main.rs api/src/lib.rs entity/src/lib.rs migration/src/lib.rs \
    && cargo build --release --locked -p iin-api \
    && strip target/release/iin-api

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/iin --create-home iin
COPY --from=build /src/target/release/iin-api /usr/local/bin/iin-api
USER iin
WORKDIR /var/lib/iin
ENV IIN_LISTEN=0.0.0.0:8080 \
    IIN_LOG_FORMAT=json
EXPOSE 8080
STOPSIGNAL SIGTERM
# `iin-api healthcheck` asks this server's /readyz (the database reachable, migrations applied).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["iin-api", "healthcheck"]
ENTRYPOINT ["iin-api"]
CMD ["serve"]
