package io.trafficdistributor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.stream.StreamSupport;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;

/** Without an admin token the admin listener defaults to loopback; with one, to every interface. */
class AdminBindConfigSourceFactoryTest {

    static ConfigSourceContext tokenIs(String token) {
        return new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                if (name.equals("td.admin.token") && token != null) {
                    return ConfigValue.builder().withName(name).withValue(token).build();
                }
                return ConfigValue.builder().withName(name).build();
            }

            @Override
            public Iterator<String> iterateNames() {
                return Collections.emptyIterator();
            }
        };
    }

    static String host(ConfigSourceContext context) {
        List<ConfigSource> sources = StreamSupport
                .stream(new AdminBindConfigSourceFactory().getConfigSources(context).spliterator(), false).toList();
        assertEquals(1, sources.size());
        return sources.get(0).getValue("quarkus.http.host");
    }

    @Test
    void noTokenBindsToLoopback() {
        assertEquals("127.0.0.1", host(tokenIs(null)));
    }

    @Test
    void aBlankTokenCountsAsNoToken() {
        assertEquals("127.0.0.1", host(tokenIs("")));
        assertEquals("127.0.0.1", host(tokenIs("   ")));
    }

    @Test
    void aTokenBindsToEveryInterface() {
        assertEquals("0.0.0.0", host(tokenIs("s3cret")));
    }

    @Test
    void anExplicitHostWins() {
        ConfigSource source = new AdminBindConfigSourceFactory().getConfigSources(tokenIs(null)).iterator().next();
        // application.properties has ordinal 250, environment 300: both outrank this default.
        assertEquals(true, source.getOrdinal() < 250, "ordinal " + source.getOrdinal());
    }
}
