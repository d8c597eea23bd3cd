package io.trafficdistributor.api;

import static io.trafficdistributor.support.Api.api;
import static io.trafficdistributor.support.Docs.backend;
import static io.trafficdistributor.support.Docs.backendAt;
import static io.trafficdistributor.support.Docs.hostOf;
import static io.trafficdistributor.support.Docs.list;
import static io.trafficdistributor.support.Docs.minimal;
import static io.trafficdistributor.support.Docs.object;
import static io.trafficdistributor.support.Docs.uniqueName;
import static io.trafficdistributor.support.Problems.assertProblem;
import static io.trafficdistributor.support.Problems.assertViolation;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every rule of DESIGN §3: a broken rule is a 400 problem naming the field, and nothing is stored. */
@QuarkusTest
class DistributorValidationTest {

    static final String BASE = "/api/v1/distributors";

    static Response post(Object body) {
        return api().contentType("application/json").body(body).post(BASE);
    }

    static Arguments rule(String description, String field, Consumer<Map<String, Object>> breakIt) {
        return Arguments.of(description, field, breakIt);
    }

    static List<String> hostnames(int count, String name) {
        return IntStream.range(0, count).mapToObj(i -> "h" + i + "." + hostOf(name)).toList();
    }

    static List<Map<String, Object>> backends(int count) {
        return IntStream.range(0, count).mapToObj(i -> backend("b" + i, "http://10.0.1." + (i % 250 + 1), 1)).toList();
    }

    static Stream<Arguments> brokenRules() {
        return Stream.of(
                // name
                rule("upper-case name", "name", d -> d.put("name", "Shop")),
                rule("name with underscore", "name", d -> d.put("name", "my_shop")),
                rule("name starting with '-'", "name", d -> d.put("name", "-shop")),
                rule("name ending with '-'", "name", d -> d.put("name", "shop-")),
                rule("name of 64 characters", "name", d -> d.put("name", "a".repeat(64))),
                rule("empty name", "name", d -> d.put("name", "")),
                rule("missing name", "name", d -> d.remove("name")),
                rule("name as a number", "name", d -> d.put("name", 5)),
                // hostnames
                rule("no hostnames", "hostnames", d -> d.put("hostnames", List.of())),
                rule("missing hostnames", "hostnames", d -> d.remove("hostnames")),
                rule("hostnames not an array", "hostnames", d -> d.put("hostnames", "a.example.test")),
                rule("empty hostname", "hostnames[0]", d -> d.put("hostnames", List.of(""))),
                rule("blank hostname", "hostnames[0]", d -> d.put("hostnames", List.of("  "))),
                rule("hostname with a space", "hostnames[0]", d -> d.put("hostnames", List.of("bad host.example.test"))),
                rule("hostname with an underscore", "hostnames[0]", d -> d.put("hostnames", List.of("bad_host.example.test"))),
                rule("hostname with an empty label", "hostnames[0]", d -> d.put("hostnames", List.of("a..example.test"))),
                rule("hostname label starting with '-'", "hostnames[0]", d -> d.put("hostnames", List.of("-a.example.test"))),
                rule("hostname with a port", "hostnames[0]", d -> d.put("hostnames", List.of("a.example.test:80"))),
                rule("hostname as a URL", "hostnames[0]", d -> d.put("hostnames", List.of("http://a.example.test"))),
                rule("hostname label of 64 characters", "hostnames[0]",
                        d -> d.put("hostnames", List.of("a".repeat(64) + ".example.test"))),
                rule("hostname over 253 characters", "hostnames[0]",
                        d -> d.put("hostnames", List.of(("a".repeat(60) + ".").repeat(5) + "test"))),
                rule("bare '*'", "hostnames[0]", d -> d.put("hostnames", List.of("*"))),
                rule("wildcard '*.'", "hostnames[0]", d -> d.put("hostnames", List.of("*."))),
                rule("wildcard in the middle", "hostnames[0]", d -> d.put("hostnames", List.of("a.*.example.test"))),
                rule("double wildcard", "hostnames[0]", d -> d.put("hostnames", List.of("*.*.example.test"))),
                rule("partial-label wildcard", "hostnames[0]", d -> d.put("hostnames", List.of("a*.example.test"))),
                rule("second hostname bad", "hostnames[1]", d -> list(d, "hostnames").add("bad!.example.test")),
                rule("null hostname", "hostnames[0]", d -> d.put("hostnames", new ArrayList<>(java.util.Collections.singletonList(null)))),
                rule("101 hostnames", "hostnames", d -> d.put("hostnames", hostnames(101, (String) d.get("name")))),
                // routing
                rule("unknown routing method", "routing", d -> d.put("routing", "RANDOM")),
                rule("lower-case routing method", "routing", d -> d.put("routing", "round_robin")),
                rule("routing as a number", "routing", d -> d.put("routing", 1)),
                // enabled / passHostHeader
                rule("enabled as a string", "enabled", d -> d.put("enabled", "yes")),
                rule("passHostHeader as a number", "passHostHeader", d -> d.put("passHostHeader", 1)),
                // slowStartSeconds
                rule("slowStartSeconds -1", "slowStartSeconds", d -> d.put("slowStartSeconds", -1)),
                rule("slowStartSeconds 3601", "slowStartSeconds", d -> d.put("slowStartSeconds", 3601)),
                rule("slowStartSeconds as a string", "slowStartSeconds", d -> d.put("slowStartSeconds", "30")),
                rule("slowStartSeconds as a float", "slowStartSeconds", d -> d.put("slowStartSeconds", 1.5)),
                rule("slowStartSeconds as a boolean", "slowStartSeconds", d -> d.put("slowStartSeconds", true)),
                // backends
                rule("no backends", "backends", d -> d.put("backends", List.of())),
                rule("missing backends", "backends", d -> d.remove("backends")),
                rule("65 backends", "backends", d -> d.put("backends", backends(65))),
                rule("null backend", "backends[0]", d -> d.put("backends", new ArrayList<>(java.util.Collections.singletonList(null)))),
                rule("backend without a name", "backends[0].name", d -> backendAt(d, 0).remove("name")),
                rule("backend name with a space", "backends[0].name", d -> backendAt(d, 0).put("name", "a b")),
                rule("backend name of 64 characters", "backends[0].name", d -> backendAt(d, 0).put("name", "b".repeat(64))),
                rule("duplicate backend names", "backends[1].name",
                        d -> list(d, "backends").add(backend("a", "http://10.0.0.2:8080", 1))),
                rule("backend without a url", "backends[0].url", d -> backendAt(d, 0).remove("url")),
                rule("ftp:// url", "backends[0].url", d -> backendAt(d, 0).put("url", "ftp://files.example.test")),
                rule("url without a scheme", "backends[0].url", d -> backendAt(d, 0).put("url", "10.0.0.1:8080")),
                rule("relative url", "backends[0].url", d -> backendAt(d, 0).put("url", "/backend")),
                rule("url without a host", "backends[0].url", d -> backendAt(d, 0).put("url", "http:///path")),
                rule("url of only a scheme", "backends[0].url", d -> backendAt(d, 0).put("url", "http://")),
                rule("url with a query", "backends[0].url", d -> backendAt(d, 0).put("url", "http://10.0.0.1/base?x=1")),
                rule("url with user info", "backends[0].url", d -> backendAt(d, 0).put("url", "http://user:secret@10.0.0.1/")),
                rule("url with a fragment", "backends[0].url", d -> backendAt(d, 0).put("url", "http://10.0.0.1/#top")),
                rule("url with port 0", "backends[0].url", d -> backendAt(d, 0).put("url", "http://10.0.0.1:0/")),
                rule("url with port 65536", "backends[0].url", d -> backendAt(d, 0).put("url", "http://10.0.0.1:65536/")),
                rule("url with spaces", "backends[0].url", d -> backendAt(d, 0).put("url", "http://a b.example.test/")),
                rule("empty url", "backends[0].url", d -> backendAt(d, 0).put("url", "")),
                rule("weight -1", "backends[0].weight", d -> backendAt(d, 0).put("weight", -1)),
                rule("weight 1001", "backends[0].weight", d -> backendAt(d, 0).put("weight", 1001)),
                rule("weight as a string", "backends[0].weight", d -> backendAt(d, 0).put("weight", "5")),
                rule("weight as a float", "backends[0].weight", d -> backendAt(d, 0).put("weight", 5.5)),
                rule("weight as a whole float", "backends[0].weight", d -> backendAt(d, 0).put("weight", 5.0)),
                rule("weight as a boolean", "backends[0].weight", d -> backendAt(d, 0).put("weight", true)),
                rule("weight beyond int", "backends[0].weight", d -> backendAt(d, 0).put("weight", 99999999999L)),
                rule("all weights 0, ROUND_ROBIN", "backends", d -> {
                    backendAt(d, 0).put("weight", 0);
                    list(d, "backends").add(backend("b", "http://10.0.0.2", 0));
                }),
                rule("all weights 0, STICKY_SESSIONS", "backends", d -> {
                    d.put("routing", "STICKY_SESSIONS");
                    backendAt(d, 0).put("weight", 0);
                }),
                rule("FAILOVER with one backend", "backends", d -> d.put("routing", "FAILOVER")),
                // stickySession
                rule("cookie name with a space", "stickySession.cookieName", d -> object(d, "stickySession").put("cookieName", "a b")),
                rule("cookie name with ';'", "stickySession.cookieName", d -> object(d, "stickySession").put("cookieName", "a;b")),
                rule("maxAgeSeconds 0", "stickySession.maxAgeSeconds", d -> object(d, "stickySession").put("maxAgeSeconds", 0)),
                rule("unknown sameSite", "stickySession.sameSite", d -> object(d, "stickySession").put("sameSite", "Loose")),
                // healthCheck
                rule("unknown health-check type", "healthCheck.type", d -> object(d, "healthCheck").put("type", "ICMP")),
                rule("health-check path without '/'", "healthCheck.path", d -> object(d, "healthCheck").put("path", "health")),
                rule("interval 0", "healthCheck.intervalSeconds", d -> object(d, "healthCheck").put("intervalSeconds", 0)),
                rule("interval 3601", "healthCheck.intervalSeconds", d -> object(d, "healthCheck").put("intervalSeconds", 3601)),
                rule("timeout 99", "healthCheck.timeoutMillis", d -> object(d, "healthCheck").put("timeoutMillis", 99)),
                rule("timeout 60001", "healthCheck.timeoutMillis", d -> {
                    object(d, "healthCheck").put("intervalSeconds", 3600);
                    object(d, "healthCheck").put("timeoutMillis", 60001);
                }),
                rule("timeout equal to the interval", "healthCheck.timeoutMillis", d -> {
                    object(d, "healthCheck").put("intervalSeconds", 5);
                    object(d, "healthCheck").put("timeoutMillis", 5000);
                }),
                rule("timeout above the interval", "healthCheck.timeoutMillis", d -> {
                    object(d, "healthCheck").put("intervalSeconds", 1);
                    object(d, "healthCheck").put("timeoutMillis", 2000);
                }),
                rule("timeout above the default interval", "healthCheck.timeoutMillis",
                        d -> object(d, "healthCheck").put("timeoutMillis", 6000)),
                rule("healthyThreshold 0", "healthCheck.healthyThreshold", d -> object(d, "healthCheck").put("healthyThreshold", 0)),
                rule("healthyThreshold 11", "healthCheck.healthyThreshold", d -> object(d, "healthCheck").put("healthyThreshold", 11)),
                rule("unhealthyThreshold 0", "healthCheck.unhealthyThreshold", d -> object(d, "healthCheck").put("unhealthyThreshold", 0)),
                rule("unhealthyThreshold 11", "healthCheck.unhealthyThreshold", d -> object(d, "healthCheck").put("unhealthyThreshold", 11)),
                rule("expectedStatuses words", "healthCheck.expectedStatuses", d -> object(d, "healthCheck").put("expectedStatuses", "ok")),
                rule("expectedStatuses empty", "healthCheck.expectedStatuses", d -> object(d, "healthCheck").put("expectedStatuses", "")),
                rule("expectedStatuses 99", "healthCheck.expectedStatuses", d -> object(d, "healthCheck").put("expectedStatuses", "99")),
                rule("expectedStatuses 600", "healthCheck.expectedStatuses", d -> object(d, "healthCheck").put("expectedStatuses", "600")),
                rule("expectedStatuses reversed range", "healthCheck.expectedStatuses",
                        d -> object(d, "healthCheck").put("expectedStatuses", "299-200")),
                rule("expectedStatuses trailing comma", "healthCheck.expectedStatuses",
                        d -> object(d, "healthCheck").put("expectedStatuses", "200-299,")),
                rule("expectedStatuses open range", "healthCheck.expectedStatuses",
                        d -> object(d, "healthCheck").put("expectedStatuses", "200-")),
                rule("expectedStatuses as a number", "healthCheck.expectedStatuses",
                        d -> object(d, "healthCheck").put("expectedStatuses", 200)),
                rule("healthCheck not an object", "healthCheck", d -> d.put("healthCheck", "on")),
                // timeouts
                rule("connectMillis 99", "timeouts.connectMillis", d -> object(d, "timeouts").put("connectMillis", 99)),
                rule("connectMillis 60001", "timeouts.connectMillis", d -> object(d, "timeouts").put("connectMillis", 60001)),
                rule("responseMillis 99", "timeouts.responseMillis", d -> object(d, "timeouts").put("responseMillis", 99)),
                rule("responseMillis 3600001", "timeouts.responseMillis", d -> object(d, "timeouts").put("responseMillis", 3600001)),
                rule("attemptMillis 99", "timeouts.attemptMillis", d -> object(d, "timeouts").put("attemptMillis", 99)),
                rule("attemptMillis 60001", "timeouts.attemptMillis", d -> object(d, "timeouts").put("attemptMillis", 60001)),
                rule("attemptMillis equal to responseMillis", "timeouts.attemptMillis", d -> {
                    object(d, "timeouts").put("responseMillis", 5000);
                    object(d, "timeouts").put("attemptMillis", 5000);
                }),
                rule("attemptMillis above responseMillis", "timeouts.attemptMillis", d -> {
                    object(d, "timeouts").put("responseMillis", 1000);
                    object(d, "timeouts").put("attemptMillis", 2000);
                }),
                // unknown fields
                rule("unknown top-level field", "weight", d -> d.put("weight", 3)),
                rule("unknown backend field", "backends[0].priority", d -> backendAt(d, 0).put("priority", 1)),
                rule("unknown healthCheck field", "healthCheck.method", d -> object(d, "healthCheck").put("method", "GET")),
                rule("unknown timeouts field", "timeouts.readMillis", d -> object(d, "timeouts").put("readMillis", 1000)),
                rule("unknown stickySession field", "stickySession.domain", d -> object(d, "stickySession").put("domain", "x")));
    }

    @ParameterizedTest(name = "{0} -> 400 at {1}")
    @MethodSource("brokenRules")
    void postBreakingARuleIs400NamingTheField(String description, String field, Consumer<Map<String, Object>> breakIt) {
        String name = uniqueName("invalid");
        Map<String, Object> doc = minimal(name);
        breakIt.accept(doc);
        assertViolation(post(doc), field).body("violations.message", org.hamcrest.Matchers.everyItem(
                org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString())));
        // Nothing was written.
        assertProblem(api().get(BASE + "/" + name), 404);
    }

    @ParameterizedTest(name = "PUT: {0} -> 400 at {1}")
    @MethodSource("brokenRules")
    void putBreakingARuleIs400NamingTheFieldAndKeepsTheStoredDocument(String description, String field,
            Consumer<Map<String, Object>> breakIt) {
        String name = uniqueName("invalid-put");
        long version = post(minimal(name)).then().statusCode(201).extract().jsonPath().getLong("version");
        Map<String, Object> doc = minimal(name);
        breakIt.accept(doc);
        Object bodyName = doc.get("name");
        // The name in the body is checked against the URL too; keep the rule under test the only one broken.
        if (field.equals("name") && (bodyName instanceof String s && !s.isEmpty() || !doc.containsKey("name"))) {
            // A different name is covered by putWithADifferentNameInTheBodyIs400; no name at all takes the URL's.
            return;
        }
        assertViolation(api().contentType("application/json").body(doc).put(BASE + "/" + name), field);
        api().get(BASE + "/" + name).then().statusCode(200).body("version", equalTo((int) version));
    }

    @Test
    void aDocumentBreakingSeveralRulesListsEveryViolation() {
        String name = uniqueName("invalid-many");
        Map<String, Object> doc = minimal(name);
        backendAt(doc, 0).put("weight", 1001);
        backendAt(doc, 0).put("url", "ftp://x.example.test");
        object(doc, "healthCheck").put("healthyThreshold", 0);
        assertViolation(post(doc), "backends[0].weight")
                .body("violations.field", org.hamcrest.Matchers.hasItems("backends[0].url", "healthCheck.healthyThreshold"));
    }

    @Test
    void boundaryValuesAreAccepted() {
        String name = uniqueName("valid-bounds");
        Map<String, Object> doc = minimal(name);
        doc.put("name", name);
        doc.put("hostnames", hostnames(100, name));
        List<Map<String, Object>> many = new ArrayList<>(backends(64));
        many.get(0).put("weight", 1000);
        many.get(1).put("weight", 0);
        doc.put("backends", many);
        object(doc, "healthCheck").put("intervalSeconds", 3600);
        object(doc, "healthCheck").put("timeoutMillis", 60000);
        object(doc, "healthCheck").put("healthyThreshold", 10);
        object(doc, "healthCheck").put("unhealthyThreshold", 1);
        object(doc, "healthCheck").put("expectedStatuses", "200-299,302, 404");
        object(doc, "timeouts").put("connectMillis", 100);
        object(doc, "timeouts").put("responseMillis", 3600000);
        object(doc, "timeouts").put("attemptMillis", 60000);
        doc.put("slowStartSeconds", 3600);
        post(doc).then().statusCode(201)
                .body("slowStartSeconds", equalTo(3600))
                .body("hostnames.size()", equalTo(100))
                .body("backends.size()", equalTo(64))
                .body("backends[0].weight", equalTo(1000))
                .body("healthCheck.expectedStatuses", equalTo("200-299,302,404"));

        String oneChar = uniqueName("v").substring(0, 1);
        // One-character and 63-character names are both valid.
        String longName = ("l" + uniqueName("x").replaceAll("[^a-z0-9]", "") + "z".repeat(63)).substring(0, 63);
        post(minimal(longName)).then().statusCode(201).body("name", equalTo(longName));
        // The backend URL may have a port and a base path, http or https.
        String urls = uniqueName("valid-urls");
        Map<String, Object> withUrls = minimal(urls);
        withUrls.put("backends", List.of(backend("x.y_z-1", "https://api.example.test:8443/base/path", 1),
                backend("B2", "http://[::1]:9000", 1)));
        post(withUrls).then().statusCode(201).body("backends.url",
                contains("https://api.example.test:8443/base/path", "http://[::1]:9000"));
        // FAILOVER ignores weights: all 0 is fine.
        String failover = uniqueName("valid-failover");
        Map<String, Object> f = minimal(failover);
        f.put("routing", "FAILOVER");
        f.put("backends", List.of(backend("p", "http://10.0.0.1", 0), backend("s", "http://10.0.0.2", 0)));
        post(f).then().statusCode(201);
        assert oneChar.length() == 1;
    }

    @Test
    void hostnamesAreStoredLowerCaseAndAsPunycode() {
        String name = uniqueName("normalise");
        Map<String, Object> doc = minimal(name);
        String suffix = name + ".example.test";
        doc.put("hostnames", List.of("Shop." + suffix.toUpperCase(), "*.WILD." + suffix, "bücher." + suffix,
                "  padded." + suffix + " "));
        post(doc).then().statusCode(201).body("hostnames", contains("shop." + suffix, "*.wild." + suffix,
                "xn--bcher-kva." + suffix, "padded." + suffix));
        // Stored normalised, so lookups by either spelling find it.
        api().queryParam("hostname", "xn--bcher-kva." + suffix).get(BASE).then().statusCode(200)
                .body("items.name", contains(name));
        api().queryParam("hostname", "BÜCHER." + suffix).get(BASE).then().statusCode(200)
                .body("items.name", contains(name));
        api().queryParam("hostname", "SHOP." + suffix).get(BASE).then().statusCode(200)
                .body("items.name", contains(name));
    }

    @Test
    void aHostnameTakenByAnotherDistributorIs409NamingTheOwner() {
        String owner = uniqueName("owner");
        post(minimal(owner)).then().statusCode(201);

        String other = uniqueName("intruder");
        Map<String, Object> doc = minimal(other);
        // Another spelling of the same name collides too.
        doc.put("hostnames", List.of("free." + hostOf(other), hostOf(owner).toUpperCase()));
        assertProblem(post(doc), 409).body("detail", containsString(owner)).body("detail", containsString(hostOf(owner)));
        assertProblem(api().get(BASE + "/" + other), 404);

        // Through PUT (create and replace) and PATCH as well.
        assertProblem(api().contentType("application/json").body(doc).put(BASE + "/" + other), 409)
                .body("detail", containsString(owner));
        post(minimal(other)).then().statusCode(201);
        assertProblem(api().contentType("application/json").body(doc).put(BASE + "/" + other), 409)
                .body("detail", containsString(owner));
        assertProblem(api().contentType("application/merge-patch+json").body(Map.of("hostnames", List.of(hostOf(owner))))
                .patch(BASE + "/" + other), 409).body("detail", containsString(owner));
        api().get(BASE + "/" + other).then().statusCode(200).body("hostnames", contains(hostOf(other)));
    }

    @Test
    void theSameHostnameTwiceInOneDistributorIs400() {
        String name = uniqueName("dup-host");
        Map<String, Object> doc = minimal(name);
        doc.put("hostnames", List.of(hostOf(name), hostOf(name).toUpperCase()));
        assertViolation(post(doc), "hostnames[1]");
    }

    @Test
    void aWildcardAndTheNameItCoversAreDifferentHostnames() {
        String a = uniqueName("wild-owner");
        String b = uniqueName("apex-owner");
        Map<String, Object> wild = minimal(a);
        wild.put("hostnames", List.of("*." + hostOf(b)));
        post(wild).then().statusCode(201);
        post(minimal(b)).then().statusCode(201).body("hostnames", contains(hostOf(b)));
    }

    @Test
    void putWithADifferentNameInTheBodyIs400() {
        String name = uniqueName("rename");
        post(minimal(name)).then().statusCode(201);
        Map<String, Object> doc = minimal(name);
        doc.put("name", name + "-x");
        assertViolation(api().contentType("application/json").body(doc).put(BASE + "/" + name), "name");
        assertProblem(api().get(BASE + "/" + name + "-x"), 404);
        // Also when the URL names a distributor that does not exist yet.
        String fresh = uniqueName("rename-new");
        Map<String, Object> other = minimal(fresh);
        other.put("name", fresh + "-y");
        assertViolation(api().contentType("application/json").body(other).put(BASE + "/" + fresh), "name");
        assertProblem(api().get(BASE + "/" + fresh), 404);
    }

    @Test
    void theNameCannotBeChangedByAPatch() {
        String name = uniqueName("rename-patch");
        post(minimal(name)).then().statusCode(201);
        assertViolation(api().contentType("application/merge-patch+json").body(Map.of("name", name + "-z"))
                .patch(BASE + "/" + name), "name");
        api().get(BASE + "/" + name).then().statusCode(200);
        assertProblem(api().get(BASE + "/" + name + "-z"), 404);
        // The same name is no change at all.
        api().contentType("application/merge-patch+json").body(Map.of("name", name)).patch(BASE + "/" + name)
                .then().statusCode(200);
    }

    @Test
    void aPatchThatBreaksARuleIs400AndWritesNothing() {
        String name = uniqueName("patch-bad");
        long version = post(minimal(name)).then().statusCode(201).extract().jsonPath().getLong("version");
        String mp = "application/merge-patch+json";
        assertViolation(api().contentType(mp).body(Map.of("routing", "FAILOVER")).patch(BASE + "/" + name), "backends");
        assertViolation(api().contentType(mp).body(Map.of("hostnames", List.of())).patch(BASE + "/" + name), "hostnames");
        assertViolation(api().contentType(mp).body(Map.of("healthCheck", Map.of("timeoutMillis", 9000))).patch(BASE + "/" + name),
                "healthCheck.timeoutMillis");
        assertViolation(api().contentType(mp).body(Map.of("colour", "red")).patch(BASE + "/" + name), "colour");
        assertViolation(api().contentType(mp).body(Map.of("healthCheck", Map.of("colour", "red"))).patch(BASE + "/" + name),
                "healthCheck.colour");
        assertViolation(api().contentType(mp).body(Map.of("routing", "RANDOM")).patch(BASE + "/" + name), "routing");
        assertViolation(api().contentType(mp).body(Map.of("backends", List.of(Map.of("name", "a", "url", "http://x", "weight", "9"))))
                .patch(BASE + "/" + name), "backends[0].weight");
        api().get(BASE + "/" + name).then().statusCode(200).body("version", equalTo((int) version));
    }
}
