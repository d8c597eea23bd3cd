package io.trafficdistributor.routing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Long-lived PostgreSQL connections outside the pool, for LISTEN and NOTIFY: a listener holds its
 * connection forever, which would take a pooled one away from the API.
 */
@ApplicationScoped
public class DirectConnections {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    public Connection open() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, username.orElse(null), password.orElse(""));
    }
}
