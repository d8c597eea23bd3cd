package io.trafficdistributor.support;

import io.quarkus.test.common.QuarkusTestResource;

/** Registers the embedded PostgreSQL and the proxy's test port for every {@code @QuarkusTest} in this module. */
@QuarkusTestResource(EmbeddedPostgresResource.class)
@QuarkusTestResource(ProxyPortResource.class)
public class DatabaseForAllTests {
}
