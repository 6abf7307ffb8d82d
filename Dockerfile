# The API as a small image: build with the Rust toolchain, run on plain Debian as a non-root user.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p iin-api

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/iin --create-home iin
COPY --from=build /src/target/release/iin-api /usr/local/bin/iin-api
USER iin
WORKDIR /var/lib/iin
ENV IIN_LISTEN=0.0.0.0:8080 \
    IIN_LOG_FORMAT=json
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["iin-api"]
CMD ["serve"]
