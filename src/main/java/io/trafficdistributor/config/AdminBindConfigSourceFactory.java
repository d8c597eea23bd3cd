package io.trafficdistributor.config;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * Without an admin token the API is open to anyone who can reach it, so the admin listener then defaults
 * to loopback. An explicit {@code quarkus.http.host} (any source) still wins: this source ranks lowest.
 */
public class AdminBindConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 50;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue token = context.getValue("td.admin.token");
        boolean secured = token != null && token.getValue() != null && !token.getValue().isBlank();
        String host = secured ? "0.0.0.0" : "127.0.0.1";
        return List.of(new MapBackedConfigSource("td-admin-bind", Map.of("quarkus.http.host", host), ORDINAL) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
