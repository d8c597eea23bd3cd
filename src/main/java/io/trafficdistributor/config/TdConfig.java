package io.trafficdistributor.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every {@code td.*} setting of the service, in one place. */
@ConfigMapping(prefix = "td")
public interface TdConfig {

    /** Directory of the embedded PostgreSQL's data, used only when no datasource URL is configured. */
    @WithDefault("./data")
    String dataDir();

    Admin admin();

    Proxy proxy();

    Routing routing();

    Health health();

    interface Admin {
        /** Bearer token required on every {@code /api} call; unset means the admin port binds to loopback only. */
        Optional<String> token();
    }

    interface Proxy {
        @WithDefault("0.0.0.0")
        String host();

        @WithDefault("8000")
        int port();
    }

    interface Routing {
        /** How often every distributor is reloaded from the database, the safety net behind LISTEN/NOTIFY. */
        @WithDefault("30s")
        Duration reconcileInterval();
    }

    interface Health {
        @WithDefault("256")
        int maxConcurrentProbes();
    }
}
