package io.trafficdistributor.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Distributor documents for tests, as mutable maps (REST Assured sends them as JSON), and names that no other
 * test uses, so tests sharing one application and one database never depend on each other's data or order.
 */
public final class Docs {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);

    private Docs() {
    }

    /** A distributor name no other test uses, starting with {@code prefix}. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + RUN + "-" + COUNTER.incrementAndGet();
    }

    /** The hostname the minimal document of {@code name} owns. */
    public static String hostOf(String name) {
        return name + ".example.test";
    }

    /** A minimal valid document: name, one hostname, one backend; everything else left to the defaults. */
    public static Map<String, Object> minimal(String name) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", name);
        doc.put("hostnames", new ArrayList<>(List.of(hostOf(name))));
        doc.put("backends", new ArrayList<>(List.of(backend("a", "http://10.0.0.1:8080", 1))));
        return doc;
    }

    public static Map<String, Object> backend(String name, String url, Object weight) {
        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("name", name);
        backend.put("url", url);
        backend.put("weight", weight);
        return backend;
    }

    /** A fully specified document with no field at its default, to see that writes keep or replace each one. */
    public static Map<String, Object> full(String name) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", name);
        doc.put("hostnames", new ArrayList<>(List.of(hostOf(name), "*." + hostOf(name))));
        doc.put("routing", "STICKY_SESSIONS");
        doc.put("enabled", false);
        doc.put("backends", new ArrayList<>(List.of(
                backend("blue", "http://10.0.0.5:8080", 70),
                backend("green", "https://green.example.net/base", 30))));
        doc.put("stickySession", new LinkedHashMap<>(Map.of("cookieName", "ROUTE_X", "maxAgeSeconds", 600, "sameSite", "Strict")));
        Map<String, Object> healthCheck = new LinkedHashMap<>();
        healthCheck.put("enabled", false);
        healthCheck.put("type", "TCP");
        healthCheck.put("path", "/healthz");
        healthCheck.put("expectedStatuses", "200-299,302");
        healthCheck.put("intervalSeconds", 10);
        healthCheck.put("timeoutMillis", 1500);
        healthCheck.put("healthyThreshold", 4);
        healthCheck.put("unhealthyThreshold", 5);
        doc.put("healthCheck", healthCheck);
        Map<String, Object> timeouts = new LinkedHashMap<>();
        timeouts.put("connectMillis", 1000);
        timeouts.put("responseMillis", 30000);
        timeouts.put("attemptMillis", 5000);
        doc.put("timeouts", timeouts);
        doc.put("passHostHeader", false);
        doc.put("slowStartSeconds", 30);
        return doc;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, Object> doc, String field) {
        return (Map<String, Object>) doc.computeIfAbsent(field, f -> new LinkedHashMap<String, Object>());
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Map<String, Object> doc, String field) {
        return (List<Object>) doc.get(field);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> backendAt(Map<String, Object> doc, int index) {
        return (Map<String, Object>) list(doc, "backends").get(index);
    }
}
