# syntax=docker/dockerfile:1
#
# warroom in a container: a static binary on distroless, running as a
# non-root user, with its SQLite database on the /data volume.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t warroom .
#   docker run -d --name warroom --env-file warroom.env -v warroom-data:/data -p 8080:8080 warroom
#   docker exec warroom warroom doctor
#   docker exec warroom warroom backup /data/backup-$(date +%F).db

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a change in the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# CGO_ENABLED=0: modernc.org/sqlite is pure Go, so the binary needs no libc
# and runs on an image without one.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/warroom ./cmd/warroom \
 && mkdir -p /out/data

# static:nonroot has CA certificates (Slack and Zoom are HTTPS) and time
# zone data, no shell and no package manager; it runs as UID 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/warroom /usr/local/bin/warroom
# The directory is owned by the runtime user, so a new named volume
# mounted here starts out writable by it. For a bind mount, chown the host
# directory to 65532:65532.
COPY --from=build --chown=65532:65532 /out/data /data
ENV WARROOM_DB=/data/warroom.db \
    WARROOM_HTTP_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
# Exec form: no shell needed. /healthz answers while the process is up;
# use `warroom healthcheck -ready` to also require Slack and the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/warroom", "healthcheck"]
# SIGTERM makes warroom finish running steps (up to 10 s) and stop; give
# `docker stop` more than that: docker stop -t 30.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/warroom"]
CMD ["run"]
