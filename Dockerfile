# optd: build on the official Swift image, run on Debian slim as a non-root user.
#   docker build -t optd .
#   docker run -p 8080:8080 optd
# Every setting is an OPTD_* environment variable (see README.md, "Configuration").
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# The product's owner fixed these build packages; zlib1g-dev is what CZlib links against.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so that source edits do not fetch them again; the
# committed Package.resolved pins the versions that were tested.
COPY Package.swift Package.resolved ./
COPY Benchmarks/Package.swift ./Benchmarks/
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product optd --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/optd" /out/optd \
    && strip /out/optd

FROM ${RUNTIME_IMAGE}
# zlib1g and libstdc++6 are already part of bookworm-slim; nothing else is needed at run time.
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin optd \
    && mkdir -p /data \
    && chown optd:optd /data
COPY --from=build /out/optd /usr/local/bin/optd
ENV OPTD_HOST=0.0.0.0 \
    OPTD_PORT=8080 \
    OPTD_DATA_DIR=/data
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/optd", "--check-health"]
ENTRYPOINT ["/usr/local/bin/optd"]
