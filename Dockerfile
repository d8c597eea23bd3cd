# Build: Maven through the wrapper on JDK 25, so a clean clone needs no local JDK. The POM's aot-cache profile (JDK 25
# and later) packages Quarkus's aot-jar layout, whose classes an ahead-of-time cache can hold.
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /build
# The wrapper and the POM first, so the dependency download stays cached until pom.xml changes
# (best effort: what go-offline misses, such as artifacts Quarkus resolves at build time, package fetches).
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline || true
COPY openapi openapi
COPY src src
# Without the startup archive here: the run stage records its own, with its own JRE.
RUN ./mvnw -B package -DskipTests -Dquarkus.package.jar.aot.enabled=false -Dquarkus.package.jar.type=aot-jar \
    -Dquarkus.package.jar.appcds.enabled=false

# Run: the JRE and the Quarkus aot-jar layout only. The base image (Ubuntu) brings curl, which the
# health check in docker-compose.yml calls: keep it if you change the base.
FROM eclipse-temurin:25-jre
WORKDIR /app
# The runtime user owns /app itself and its data directory (td.data-dir, ./data: the embedded PostgreSQL, used
# when no datasource URL is set), not only the files copied in: PostgreSQL creates its files there, and
# refuses a data directory it does not own.
RUN useradd --system --uid 1001 --user-group --home-dir /app traffic-distributor \
    && mkdir -p /app/data && chown 1001:1001 /app /app/data && chmod 0700 /app/data
COPY --from=build --chown=1001:1001 /build/target/quarkus-app/ /app/
# Everything from here on runs as that user, the training run too: PostgreSQL's initdb refuses to run as root.
USER 1001
# The ahead-of-time cache (README, Quickstart) only fits the JVM build that recorded it: record it with this image's
# JRE and the service's heap options, by the same training run as the package phase (a throw-away embedded
# PostgreSQL, free ports). Best effort: without the file the JVM starts as usual, only slower, after an error line.
RUN rm -f app.aot app-cds.jsa; java -Xmx512m -Xmn64m -XX:AOTCacheOutput=app.aot -Dquarkus.appcds.generate=true \
    -jar quarkus-run.jar || echo "ahead-of-time cache not recorded: the service will start without it"; rm -rf /tmp/embedded-pg
# 8080: admin API, health, metrics, OpenAPI. 8000: the proxied traffic. 8443: the same over HTTPS (HTTP/2 and 1.1).
EXPOSE 8080 8000 8443
# The heap bound and the small fixed young generation keep resident memory near 260 MiB under load (README,
# Performance); 512 MiB holds 10,000 distributors with room to spare.
ENV JAVA_OPTS="-Xmx512m -Xmn64m -XX:AOTCache=app.aot -Djava.util.logging.manager=org.jboss.logmanager.LogManager"
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar quarkus-run.jar"]
