package io.trafficdistributor.api;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.trafficdistributor.config.TdConfig;

/** Says once, at start, when the admin API is unauthenticated and therefore bound to loopback. */
@Singleton
public class AdminListenerWarning {

    private static final Logger LOG = Logger.getLogger(AdminListenerWarning.class);

    void onStart(@Observes StartupEvent event, TdConfig config, @ConfigProperty(name = "quarkus.http.host") String host) {
        if (config.admin().token().filter(t -> !t.isBlank()).isEmpty()) {
            LOG.warnf("No admin token is set (td.admin.token / TD_ADMIN_TOKEN): the admin API is unauthenticated and "
                    + "listens on %s only. Set a token to expose it.", host);
        }
    }
}
