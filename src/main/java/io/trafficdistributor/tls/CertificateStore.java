package io.trafficdistributor.tls;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.trafficdistributor.config.TdConfig;

/**
 * The certificates the HTTPS listener serves: an immutable snapshot (every loaded certificate with its TLS
 * context, and the SNI selection over them), rebuilt per change and swapped atomically, as the routing table is.
 * A handshake reads the snapshot of its moment; one already done keeps the context it got. Changed one certificate
 * at a time by a single writer (the change feed); a certificate that fails to load keeps the one it replaces.
 * <p>
 * Metric: {@code td_certificate_expiry_seconds{certificate}}, seconds until the leaf's notAfter (negative once
 * expired).
 */
@ApplicationScoped
public class CertificateStore {

    private static final Logger LOG = Logger.getLogger(CertificateStore.class);

    /** A loaded certificate: what the API and the status view show, and the context handshakes use. */
    public record Loaded(String name, java.util.UUID id, long version, ParsedCertificate certificate, SslContext context) {
        @Override
        public String toString() {
            return "Loaded[" + name + " v" + version + "]";
        }
    }

    /** One moment's certificates and their SNI selection. */
    record Snapshot(Map<String, Loaded> byName, SniSelector<Loaded> selector) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), SniSelector.<Loaded>builder().build());
    }

    @Inject
    TdConfig config;

    @Inject
    MeterRegistry registry;

    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private final Map<String, Gauge> expiryGauges = new HashMap<>();

    /** The certificate for a client's SNI name (null when it sent none): exact, wildcard, default; or null. */
    public Loaded select(String sniHostname) {
        return snapshot.selector().select(sniHostname);
    }

    public Optional<Loaded> loaded(String name) {
        return Optional.ofNullable(snapshot.byName().get(name));
    }

    /** The name of the certificate a handshake for {@code hostname} gets now, or null. */
    public String servingName(String hostname) {
        Loaded served = select(hostname);
        return served == null ? null : served.name();
    }

    /** Of {@code hostnames}, those that a handshake naming them would get certificate {@code name} for, now. */
    public List<String> hostnamesServedBy(String name, Collection<String> hostnames) {
        Snapshot current = snapshot;
        List<String> served = new ArrayList<>();
        for (String hostname : hostnames) {
            Loaded selected = current.selector().select(hostname);
            if (selected != null && selected.name().equals(name)) {
                served.add(hostname);
            }
        }
        return served;
    }

    /** Whether the snapshot already has this version of the certificate (by its id: a name may be deleted and reused). */
    public boolean isApplied(String name, java.util.UUID id, long version) {
        Loaded loaded = snapshot.byName().get(name);
        return loaded != null && loaded.id().equals(id) && loaded.version() == version;
    }

    /** Replaces every certificate (start, reconcile); one that fails to load keeps what was loaded for its name. */
    public synchronized void replaceAll(Collection<CertificateMaterial> all) {
        Map<String, Loaded> next = new HashMap<>();
        Map<String, Loaded> current = snapshot.byName();
        for (CertificateMaterial material : all) {
            Loaded existing = current.get(material.name());
            if (existing != null && existing.id().equals(material.id()) && existing.version() == material.version()) {
                next.put(material.name(), existing);
                continue;
            }
            Loaded loaded = load(material);
            if (loaded != null) {
                next.put(material.name(), loaded);
            } else if (existing != null) {
                next.put(material.name(), existing);
            }
        }
        publish(next);
    }

    /** One certificate changed ({@code material}) or deleted (null). */
    public synchronized void apply(String name, CertificateMaterial material) {
        Map<String, Loaded> next = new HashMap<>(snapshot.byName());
        if (material == null) {
            next.remove(name);
        } else {
            Loaded loaded = load(material);
            if (loaded == null) {
                return;
            }
            next.put(name, loaded);
        }
        publish(next);
    }

    private static Loaded load(CertificateMaterial material) {
        try {
            ParsedCertificate parsed = ParsedCertificate.parseStored(material.certificatePem(), material.privateKeyPem());
            return new Loaded(material.name(), material.id(), material.version(), parsed, ServerTlsContexts.build(parsed));
        } catch (Exception e) {
            // The message names the certificate and what is wrong, never key material.
            LOG.errorf("Certificate '%s' (version %d) cannot be served: %s", material.name(), material.version(),
                    e.getMessage());
            return null;
        }
    }

    private void publish(Map<String, Loaded> byName) {
        // The longest-lived certificate first: of two naming the same host, a renewal beside the old one wins.
        List<Loaded> ordered = byName.values().stream()
                .sorted(Comparator.comparing((Loaded l) -> l.certificate().notAfter()).reversed()
                        .thenComparing(Loaded::name))
                .toList();
        SniSelector.Builder<Loaded> selector = SniSelector.builder();
        ordered.forEach(l -> selector.add(l.certificate().dnsNames(), l));
        config.tls().defaultCertificate().map(byName::get).ifPresent(selector::fallback);
        snapshot = new Snapshot(Map.copyOf(byName), selector.build());
        updateGauges(byName.keySet());
    }

    private void updateGauges(Collection<String> names) {
        expiryGauges.entrySet().removeIf(entry -> {
            if (!names.contains(entry.getKey())) {
                registry.remove(entry.getValue());
                return true;
            }
            return false;
        });
        for (String name : names) {
            expiryGauges.computeIfAbsent(name, n -> Gauge.builder("td_certificate_expiry_seconds", this,
                    store -> store.secondsLeft(n)).tag("certificate", n)
                    .description("Seconds until the certificate's leaf expires").register(registry));
        }
    }

    private double secondsLeft(String name) {
        Loaded loaded = snapshot.byName().get(name);
        return loaded == null ? Double.NaN : loaded.certificate().notAfter().getEpochSecond() - Instant.now().getEpochSecond();
    }
}
